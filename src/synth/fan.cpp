// Axial fan: blade-pass tones over broadband turbulence.

#include <array>
#include <cmath>
#include <numbers>

#include "core/error.h"
#include "synth/dsp.h"
#include "synth/models.h"

namespace uadscope::synth {

namespace {

constexpr double pi = std::numbers::pi;
constexpr double sample_rate = kSampleRate;

// Blade-pass harmonics kept, and the amplitude ratio between neighbouring harmonics.
constexpr int harmonic_count = 8;
constexpr double harmonic_decay = 0.55;
// Shaft-rate tone of the residual imbalance that every real rotor has.
constexpr double shaft_tone = 0.05;
// Turbulence RMS relative to a blade-pass fundamental of amplitude 1, and the depth with
// which each passing blade modulates it.
constexpr double turbulence_level = 0.45;
constexpr double turbulence_chop = 0.2;
// Structural resonance that a bearing defect rings.
constexpr double bearing_resonance_hz = 2800.0;

}  // namespace

std::vector<double> render_fan(const ClipSpec& spec, Rng& machine_rng, Rng& anomaly_rng,
                               nlohmann::ordered_json& truth) {
    const FanParameters nominal = fan_parameters(spec.section, spec.domain);
    const std::size_t frames = spec.frames;

    // Motor slip follows supply voltage and temperature: +-1 % from clip to clip.
    const double rotation_hz = nominal.rotation_hz * jitter(machine_rng, 1.0, 0.01);
    const auto blades = static_cast<double>(nominal.blades);
    const std::vector<double> angle = shaft_angle(frames, rotation_hz, machine_rng);

    std::array<double, harmonic_count> cos_phase{};
    std::array<double, harmonic_count> sin_phase{};
    double amplitude = 1.0;
    std::array<double, harmonic_count> amplitudes{};
    for (int h = 0; h < harmonic_count; ++h) {
        const double phase = 2.0 * pi * machine_rng.uniform01();
        cos_phase[h] = std::cos(phase);
        sin_phase[h] = std::sin(phase);
        amplitudes[h] = amplitude * jitter(machine_rng, 1.0, 0.15);
        amplitude *= harmonic_decay;
    }
    const double shaft_phase = 2.0 * pi * machine_rng.uniform01();
    const double chop_phase = 2.0 * pi * machine_rng.uniform01();

    // Turbulence: boundary-layer and tip-vortex noise, broadband and falling with frequency.
    std::vector<double> turbulence = white_noise(machine_rng, frames);
    Biquad highpass = Biquad::highpass(40.0, 0.7071, sample_rate);
    highpass.process(turbulence);
    SlopeFilter slope(-3.0, 100.0, 6000.0, sample_rate);
    slope.process(turbulence);
    normalise_rms(turbulence);

    // Fan law: radiated sound power grows with the fifth power of speed, so pressure with
    // the 2.5th power, relative to the section's source-domain speed.
    const double reference_hz = fan_parameters(spec.section, Domain::source).rotation_hz;
    const double level = std::pow(rotation_hz / reference_hz, 2.5);

    std::vector<double> signal(frames);
    for (std::size_t n = 0; n < frames; ++n) {
        // sin(h B angle + phase_h) from powers of e^{i B angle}: one sine and cosine per
        // sample in place of one per harmonic.
        const double blade_angle = blades * angle[n];
        const double c = std::cos(blade_angle);
        const double s = std::sin(blade_angle);
        double power_cos = c;
        double power_sin = s;
        double tonal = 0.0;
        for (int h = 0; h < harmonic_count; ++h) {
            tonal += amplitudes[h] * (power_sin * cos_phase[h] + power_cos * sin_phase[h]);
            const double next_cos = power_cos * c - power_sin * s;
            power_sin = power_sin * c + power_cos * s;
            power_cos = next_cos;
        }
        tonal += shaft_tone * std::sin(angle[n] + shaft_phase);
        const double chop = 1.0 + turbulence_chop * std::sin(blade_angle + chop_phase);
        signal[n] = level * (tonal + turbulence_level * chop * turbulence[n]);
    }

    truth["blades"] = nominal.blades;
    truth["rotation_hz"] = rotation_hz;
    truth["blade_pass_hz"] = blades * rotation_hz;
    switch (spec.anomaly) {
        case Anomaly::none:
            break;
        case Anomaly::bearing_fault:
            add_bearing_fault(signal, rotation_hz, bearing_resonance_hz, level, anomaly_rng, truth);
            break;
        case Anomaly::imbalance:
            apply_imbalance(signal, angle, anomaly_rng, truth);
            break;
        default:
            UADSCOPE_ASSERT(false);
    }
    return signal;
}

}  // namespace uadscope::synth
