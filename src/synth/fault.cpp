// Fault models shared by the rotating machines and the valve, and the background noise.

#include <cmath>
#include <numbers>

#include "synth/dsp.h"
#include "synth/models.h"

namespace uadscope::synth {

namespace {

constexpr double pi = std::numbers::pi;
constexpr double sample_rate = kSampleRate;

}  // namespace

std::vector<double> shaft_angle(std::size_t frames, double rotation_hz, Rng& rng) {
    // A loaded motor hunts slowly around its speed; 0.2 % at 0.15 to 0.35 Hz is below what
    // the ear notices but keeps the harmonics from being perfectly stationary.
    const double wander_depth = 0.002;
    const double wander_hz = jitter(rng, 0.25, 0.1);
    const double wander_phase = 2.0 * pi * rng.uniform01();
    double angle = 2.0 * pi * rng.uniform01();
    std::vector<double> angles(frames);
    for (std::size_t n = 0; n < frames; ++n) {
        angles[n] = angle;
        const double t = static_cast<double>(n) / sample_rate;
        const double speed =
            rotation_hz * (1.0 + wander_depth * std::sin(2.0 * pi * wander_hz * t + wander_phase));
        angle += 2.0 * pi * speed / sample_rate;
    }
    return angles;
}

void add_bearing_fault(std::span<double> signal, double rotation_hz, double resonance_hz,
                       double scale, Rng& rng, nlohmann::ordered_json& truth) {
    const double defect_hz = bearing_defect_frequency(rotation_hz);
    const double severity = scale * jitter(rng, 1.6, 0.3);
    // Impacts land on whole samples; at 16 kHz that moves them by at most 31 us, far less
    // than the 1 % slip.
    std::vector<double> impulses(signal.size(), 0.0);
    double time = rng.uniform01() / defect_hz;
    const double duration = static_cast<double>(signal.size()) / sample_rate;
    while (time < duration) {
        const auto n = static_cast<std::size_t>(std::lround(time * sample_rate));
        if (n < impulses.size()) {
            impulses[n] += severity * jitter(rng, 1.0, 0.2);
        }
        time += jitter(rng, 1.0, 0.01) / defect_hz;
    }
    Biquad structure = Biquad::resonator(resonance_hz, 0.0012, sample_rate);
    structure.process(impulses);
    for (std::size_t n = 0; n < signal.size(); ++n) {
        signal[n] += impulses[n];
    }
    truth["defect_hz"] = defect_hz;
    truth["resonance_hz"] = resonance_hz;
    truth["severity"] = severity;
}

void apply_imbalance(std::span<double> signal, std::span<const double> angle, Rng& rng,
                     nlohmann::ordered_json& truth) {
    const double depth = jitter(rng, 0.35, 0.1);
    const double phase = 2.0 * pi * rng.uniform01();
    // The 1x tone is the structure shaken by the rotating force, at a level proportional to
    // the modulation depth.
    const double tone = 0.6 * depth;
    for (std::size_t n = 0; n < signal.size(); ++n) {
        const double rotating = std::cos(angle[n] + phase);
        signal[n] = signal[n] * (1.0 + depth * rotating) + tone * rotating;
    }
    truth["modulation_depth"] = depth;
}

std::vector<double> leakage_hiss(std::size_t frames, double low_hz, double high_hz, double level,
                                 Rng& rng) {
    std::vector<double> hiss = white_noise(rng, frames);
    Biquad highpass_1 = Biquad::highpass(low_hz, 0.7071, sample_rate);
    Biquad highpass_2 = Biquad::highpass(low_hz, 0.7071, sample_rate);
    Biquad lowpass = Biquad::lowpass(high_hz, 0.7071, sample_rate);
    highpass_1.process(hiss);
    highpass_2.process(hiss);
    lowpass.process(hiss);
    normalise_rms(hiss);
    for (double& sample : hiss) {
        sample *= level;
    }
    return hiss;
}

void add_background(std::span<double> signal, Machine machine, Domain domain, Rng& rng,
                    nlohmann::ordered_json& truth) {
    // Room noise is close to pink (-3 dB per octave). A factory floor is dominated by low
    // rumble from other machines (-5 dB per octave) and by mains hum at 50 Hz and harmonics.
    const bool factory = machine == Machine::valve && domain == Domain::target;
    const double base_level = machine == Machine::valve ? 0.02 : 0.06;
    const double level = factory ? 5.0 * base_level : base_level;

    std::vector<double> noise = white_noise(rng, signal.size());
    Biquad highpass = Biquad::highpass(20.0, 0.7071, sample_rate);
    highpass.process(noise);
    SlopeFilter slope(factory ? -5.0 : -3.0, 30.0, 6000.0, sample_rate);
    slope.process(noise);
    normalise_rms(noise);

    std::array<double, 3> hum_phase{};
    for (double& phase : hum_phase) {
        phase = 2.0 * pi * rng.uniform01();
    }
    for (std::size_t n = 0; n < signal.size(); ++n) {
        double sample = level * noise[n];
        if (factory) {
            const double t = static_cast<double>(n) / sample_rate;
            for (std::size_t h = 0; h < hum_phase.size(); ++h) {
                const double harmonic = static_cast<double>(h + 1);
                sample += level * 0.8 / harmonic *
                          std::sin(2.0 * pi * 50.0 * harmonic * t + hum_phase[h]);
            }
        }
        signal[n] += sample;
    }
    truth["background"] = factory ? "factory" : "room";
    truth["background_rms"] = level;
}

}  // namespace uadscope::synth
