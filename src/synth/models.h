#pragma once

// Internal interface between render_clip (machine.cpp) and the machine models: one
// renderer per machine type, the shared fault models and the background noise.
//
// A renderer returns the machine's sound in model units (its normal source-domain clips
// have an RMS near 1 for fan and pump), with the clip's anomaly already applied. It draws
// the machine from `machine_rng` and the anomaly from `anomaly_rng` only, so that removing
// the anomaly leaves every other sample unchanged.

#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/random.h"
#include "synth/machine.h"

namespace uadscope::synth {

std::vector<double> render_fan(const ClipSpec& spec, Rng& machine_rng, Rng& anomaly_rng,
                               nlohmann::ordered_json& truth);
std::vector<double> render_pump(const ClipSpec& spec, Rng& machine_rng, Rng& anomaly_rng,
                                nlohmann::ordered_json& truth);
std::vector<double> render_valve(const ClipSpec& spec, Rng& machine_rng, Rng& anomaly_rng,
                                 nlohmann::ordered_json& truth);

// Rotation angle (radians) of a shaft at `rotation_hz` with a slow speed wander of
// +-0.2 %, one value per sample. The start angle and the wander are drawn from `rng`.
std::vector<double> shaft_angle(std::size_t frames, double rotation_hz, Rng& rng);

// Adds an outer-race bearing defect: one impact per ball pass at
// bearing_defect_frequency(rotation_hz), each period randomly 1 % longer or shorter (ball
// slip), every impact ringing the machine structure at `resonance_hz` with a 1.2 ms decay.
// Impact amplitudes are `scale` times a severity drawn from [1.3, 1.9]; the renderers scale
// them with the machine's speed or load. Records the defect frequency and severity in
// `truth`.
void add_bearing_fault(std::span<double> signal, double rotation_hz, double resonance_hz,
                       double scale, Rng& rng, nlohmann::ordered_json& truth);

// Modulates `signal` by (1 + m cos(angle + phase)) and adds a once-per-revolution tone: the
// force of a rotor whose centre of mass is off its axis turns with the shaft.
void apply_imbalance(std::span<double> signal, std::span<const double> angle, Rng& rng,
                     nlohmann::ordered_json& truth);

// Band-limited hiss between `low_hz` and `high_hz` with RMS `level`: gas or fluid escaping
// through a small opening is turbulent jet noise with a high, narrow-ish band.
std::vector<double> leakage_hiss(std::size_t frames, double low_hz, double high_hz, double level,
                                 Rng& rng);

// Adds the room or factory background of the clip's machine type and domain.
void add_background(std::span<double> signal, Machine machine, Domain domain, Rng& rng,
                    nlohmann::ordered_json& truth);

}  // namespace uadscope::synth
