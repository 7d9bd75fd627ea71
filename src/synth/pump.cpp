// Reciprocating pump: flow pulsation of its pistons, a ringing discharge pipe, flow noise
// and motor hum.

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.h"
#include "synth/dsp.h"
#include "synth/models.h"

namespace uadscope::synth {

namespace {

constexpr double pi = std::numbers::pi;
constexpr double sample_rate = kSampleRate;

// Decay time of the discharge pipe's acoustic resonance (a bandwidth of about 16 Hz).
constexpr double pipe_decay_seconds = 0.02;
// Motor magnetostriction hums at twice the 50 Hz mains frequency.
constexpr double hum_hz = 100.0;
constexpr double hum_level = 0.1;
// Flow noise band and RMS relative to the unit-RMS pulsation.
constexpr double flow_low_hz = 250.0;
constexpr double flow_high_hz = 2500.0;
constexpr double flow_level = 0.35;
constexpr double bearing_resonance_hz = 3600.0;
// Leakage at a worn seal or valve: hiss band and RMS range.
constexpr double leak_low_hz = 3000.0;
constexpr double leak_high_hz = 6500.0;

// Flow of `pistons` pistons phased evenly around the shaft, each delivering a half-wave
// sine pulse per revolution, with the mean flow removed and scaled to unit RMS.
std::vector<double> flow_ripple(std::span<const double> angle, int pistons) {
    std::vector<double> cos_offset(pistons);
    std::vector<double> sin_offset(pistons);
    for (int k = 0; k < pistons; ++k) {
        const double offset = 2.0 * pi * k / pistons;
        cos_offset[k] = std::cos(offset);
        sin_offset[k] = std::sin(offset);
    }
    // The mean of max(0, sin) over a revolution is 1 / pi per piston.
    const double mean_flow = pistons / pi;
    std::vector<double> ripple(angle.size());
    for (std::size_t n = 0; n < angle.size(); ++n) {
        const double c = std::cos(angle[n]);
        const double s = std::sin(angle[n]);
        double flow = 0.0;
        for (int k = 0; k < pistons; ++k) {
            flow += std::max(0.0, s * cos_offset[k] - c * sin_offset[k]);
        }
        ripple[n] = flow - mean_flow;
    }
    normalise_rms(ripple);
    return ripple;
}

}  // namespace

std::vector<double> render_pump(const ClipSpec& spec, Rng& machine_rng, Rng& anomaly_rng,
                                nlohmann::ordered_json& truth) {
    const PumpParameters nominal = pump_parameters(spec.section, spec.domain);
    const std::size_t frames = spec.frames;

    const double rotation_hz = nominal.rotation_hz * jitter(machine_rng, 1.0, 0.005);
    const std::vector<double> angle = shaft_angle(frames, rotation_hz, machine_rng);
    const std::vector<double> ripple = flow_ripple(angle, nominal.pistons);

    // Turbulent flow noise, louder while the flow is fast.
    std::vector<double> flow = white_noise(machine_rng, frames);
    Biquad flow_highpass = Biquad::highpass(flow_low_hz, 0.7071, sample_rate);
    Biquad flow_lowpass = Biquad::lowpass(flow_high_hz, 0.7071, sample_rate);
    flow_highpass.process(flow);
    flow_lowpass.process(flow);
    normalise_rms(flow);
    for (std::size_t n = 0; n < frames; ++n) {
        flow[n] *= std::max(0.0, 1.0 + 0.25 * ripple[n]);
    }

    // The discharge pipe rings at its resonance, driven by the pressure ripple and the flow
    // noise.
    std::vector<double> pipe(frames);
    for (std::size_t n = 0; n < frames; ++n) {
        pipe[n] = ripple[n] + 0.5 * flow[n];
    }
    Biquad pipe_mode =
        Biquad::resonator(nominal.pipe_resonance_hz, pipe_decay_seconds, sample_rate);
    pipe_mode.process(pipe);
    normalise_rms(pipe);

    // High discharge pressure raises the pulsation and the flow noise.
    const bool loaded = nominal.load > 1;
    const double pulsation_gain = loaded ? 1.8 : 1.0;
    const double flow_gain = loaded ? 1.4 : 1.0;
    // Faults grow with pressure too: harder bearing impacts, a faster leak.
    const double fault_scale = loaded ? 1.5 : 1.0;
    const double hum_phase = 2.0 * pi * machine_rng.uniform01();

    std::vector<double> signal(frames);
    for (std::size_t n = 0; n < frames; ++n) {
        const double t = static_cast<double>(n) / sample_rate;
        signal[n] = pulsation_gain * (0.7 * ripple[n] + 0.3 * pipe[n]) +
                    flow_gain * flow_level * flow[n] +
                    hum_level * std::sin(2.0 * pi * hum_hz * t + hum_phase);
    }

    truth["pistons"] = nominal.pistons;
    truth["rotation_hz"] = rotation_hz;
    truth["pulsation_hz"] = PumpParameters{nominal.pistons, rotation_hz, 0.0, 0}.pulsation_hz();
    truth["pipe_resonance_hz"] = nominal.pipe_resonance_hz;
    truth["load"] = nominal.load;
    switch (spec.anomaly) {
        case Anomaly::none:
            break;
        case Anomaly::leakage: {
            const double level = fault_scale * jitter(anomaly_rng, 0.12, 0.03);
            const std::vector<double> hiss =
                leakage_hiss(frames, leak_low_hz, leak_high_hz, level, anomaly_rng);
            for (std::size_t n = 0; n < frames; ++n) {
                signal[n] += hiss[n];
            }
            truth["leak_band_hz"] = {leak_low_hz, leak_high_hz};
            truth["leak_rms"] = level;
            break;
        }
        case Anomaly::bearing_fault:
            add_bearing_fault(signal, rotation_hz, bearing_resonance_hz, fault_scale, anomaly_rng,
                              truth);
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
