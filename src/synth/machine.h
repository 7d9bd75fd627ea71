#pragma once

// Physical sound models of the demo dataset's machine types (fan, pump, valve), their
// per-section parameters, domain shifts and anomalies. docs/demo-data.md gives the
// formulas and the reasons behind each number.

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/random.h"

namespace uadscope::synth {

// Every clip is 16 kHz mono, as in DCASE Task 2.
inline constexpr int kSampleRate = 16000;
// Sections per machine type, numbered 00 to 02.
inline constexpr int kSectionCount = 3;

enum class Machine { fan, pump, valve };
enum class Domain { source, target };
enum class Anomaly { none, bearing_fault, imbalance, leakage, missing_impact, extra_impact };

inline constexpr std::array<Machine, 3> kAllMachines = {Machine::fan, Machine::pump,
                                                        Machine::valve};

std::string_view to_string(Machine machine);
std::string_view to_string(Domain domain);
std::string_view to_string(Anomaly anomaly);
std::optional<Machine> parse_machine(std::string_view name);

// Anomaly kinds of a machine type, in the order in which anomalous clips cycle through them.
std::span<const Anomaly> anomaly_kinds(Machine machine);

// Axial fan: `blades` blades turning at `rotation_hz` revolutions per second.
struct FanParameters {
    int blades;
    double rotation_hz;
    double blade_pass_hz() const { return blades * rotation_hz; }
};
// Sections differ in blade count and speed; the target domain runs 20 % faster.
FanParameters fan_parameters(int section, Domain domain);

// Reciprocating pump: `pistons` pistons on one shaft at `rotation_hz`, a discharge pipe
// resonating at `pipe_resonance_hz`, and a load level (1 nominal, 2 high pressure).
struct PumpParameters {
    int pistons;
    double rotation_hz;
    double pipe_resonance_hz;
    int load;
    // Fundamental of the summed flow ripple: pistons * rotation for an even piston count,
    // twice that for an odd one (the half-wave pulses of an odd count interleave).
    double pulsation_hz() const { return (pistons % 2 == 0 ? 1.0 : 2.0) * pistons * rotation_hz; }
};
// Sections differ in piston count, speed and pipe; the target domain runs at high load.
PumpParameters pump_parameters(int section, Domain domain);

// Solenoid valve actuation: impacts at fixed offsets within a repeating cycle.
struct ValveEvent {
    double offset_seconds;
    bool opening;  // true: the plunger hits its stop; false: it hits the seat
};
struct ValveParameters {
    // Valves on the manifold; their impacts interleave in `events`.
    int valves;
    double period_seconds;
    std::vector<ValveEvent> events;
    // Resonant modes of the valve body excited by each impact.
    std::array<double, 3> mode_hz;
    // Background condition: 1 quiet room, 2 factory floor.
    int background;
};
// Sections differ in actuation pattern and valve body; the target domain adds factory noise.
ValveParameters valve_parameters(int section, Domain domain);

// Ball-pass frequency of a bearing outer-race defect for a shaft at `rotation_hz`:
// (n / 2) f_r (1 - (d / D) cos(phi)) with n = 8 balls, d / D = 0.2 and phi = 0, so 3.2 f_r.
double bearing_defect_frequency(double rotation_hz);

// Operating condition packed into one token as in DCASE 2021 names ("A1Spd28VMic1"): a
// model code (machine letter and section number), then <Name><value> segments. Fan
// "F0Bld5Rps25" (blades, revolutions per second), pump "P0Pis3Rps20Ld1" (pistons, speed,
// load), valve "V0Vlv1Bg1" (valves, background condition).
std::string attribute_token(Machine machine, int section, Domain domain);

// Nominal parameters of one section and domain, as recorded in synth.json.
nlohmann::ordered_json section_parameters(Machine machine, int section, Domain domain);

struct ClipSpec {
    Machine machine = Machine::fan;
    int section = 0;
    Domain domain = Domain::source;
    Anomaly anomaly = Anomaly::none;
    std::size_t frames = 10 * kSampleRate;
};

struct Clip {
    // Samples at kSampleRate, scaled by the machine type's output gain and limited to
    // kPeakCeiling.
    std::vector<double> samples;
    // Ground truth of this clip: the drawn speeds, frequencies, anomaly severity, gain.
    nlohmann::ordered_json truth;
};

// Largest absolute sample value of a clip (-6 dBFS), leaving room for 16-bit rounding.
inline constexpr double kPeakCeiling = 0.5;

// Renders one clip. The machine, the background and the anomaly each draw from their own
// fork of `stream`, so a clip and its normal twin (same stream, Anomaly::none) share the
// machine and background sound exactly and differ only by the anomaly.
Clip render_clip(const ClipSpec& spec, const Rng& stream);

}  // namespace uadscope::synth
