#include "synth/machine.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "synth/models.h"

namespace uadscope::synth {

namespace {

void check_section(int section) {
    UADSCOPE_ASSERT(section >= 0 && section < kSectionCount);
}

// Output gain from model units to full scale, one per machine type. Measured at seed 0 over
// every section, domain and anomaly kind, clips peak between -15 and -7 dBFS. The valve's
// impacts have a far higher crest factor than the steady fan and pump sounds.
double output_gain(Machine machine) {
    switch (machine) {
        case Machine::fan:
            return 0.06;
        case Machine::pump:
            return 0.065;
        case Machine::valve:
            return 0.12;
    }
    UADSCOPE_ASSERT(false);
}

}  // namespace

std::string_view to_string(Machine machine) {
    switch (machine) {
        case Machine::fan:
            return "fan";
        case Machine::pump:
            return "pump";
        case Machine::valve:
            return "valve";
    }
    UADSCOPE_ASSERT(false);
}

std::string_view to_string(Domain domain) {
    return domain == Domain::source ? "source" : "target";
}

std::string_view to_string(Anomaly anomaly) {
    switch (anomaly) {
        case Anomaly::none:
            return "none";
        case Anomaly::bearing_fault:
            return "bearing_fault";
        case Anomaly::imbalance:
            return "imbalance";
        case Anomaly::leakage:
            return "leakage";
        case Anomaly::missing_impact:
            return "missing_impact";
        case Anomaly::extra_impact:
            return "extra_impact";
    }
    UADSCOPE_ASSERT(false);
}

std::optional<Machine> parse_machine(std::string_view name) {
    for (const Machine machine : kAllMachines) {
        if (to_string(machine) == name) {
            return machine;
        }
    }
    return std::nullopt;
}

std::span<const Anomaly> anomaly_kinds(Machine machine) {
    static constexpr std::array<Anomaly, 2> fan = {Anomaly::bearing_fault, Anomaly::imbalance};
    static constexpr std::array<Anomaly, 3> pump = {Anomaly::leakage, Anomaly::bearing_fault,
                                                    Anomaly::imbalance};
    static constexpr std::array<Anomaly, 3> valve = {Anomaly::missing_impact, Anomaly::extra_impact,
                                                     Anomaly::leakage};
    switch (machine) {
        case Machine::fan:
            return fan;
        case Machine::pump:
            return pump;
        case Machine::valve:
            return valve;
    }
    UADSCOPE_ASSERT(false);
}

FanParameters fan_parameters(int section, Domain domain) {
    check_section(section);
    static constexpr std::array<int, kSectionCount> blades = {5, 7, 9};
    static constexpr std::array<double, kSectionCount> rotation_hz = {25.0, 30.0, 35.0};
    const auto i = static_cast<std::size_t>(section);
    const double speed_factor = domain == Domain::source ? 1.0 : 1.2;
    return {blades[i], rotation_hz[i] * speed_factor};
}

PumpParameters pump_parameters(int section, Domain domain) {
    check_section(section);
    static constexpr std::array<int, kSectionCount> pistons = {3, 5, 9};
    static constexpr std::array<double, kSectionCount> rotation_hz = {20.0, 24.0, 20.0};
    // At high load the induction motor slips about 5 % more.
    static constexpr std::array<double, kSectionCount> loaded_rotation_hz = {19.0, 23.0, 19.0};
    static constexpr std::array<double, kSectionCount> pipe_hz = {700.0, 1000.0, 1400.0};
    const auto i = static_cast<std::size_t>(section);
    const bool source = domain == Domain::source;
    return {pistons[i], source ? rotation_hz[i] : loaded_rotation_hz[i], pipe_hz[i],
            source ? 1 : 2};
}

ValveParameters valve_parameters(int section, Domain domain) {
    check_section(section);
    const int background = domain == Domain::source ? 1 : 2;
    switch (section) {
        case 0:
            // One valve: open for 0.35 s of every second.
            return {1, 1.0, {{0.0, true}, {0.35, false}}, {2100.0, 3400.0, 5200.0}, background};
        case 1:
            // One valve, two short pulses per cycle.
            return {1,
                    0.8,
                    {{0.0, true}, {0.12, false}, {0.40, true}, {0.52, false}},
                    {1500.0, 2700.0, 4300.0},
                    background};
        default:
            // Two valves on one manifold, opening and closing 0.25 s apart.
            return {2,
                    1.4,
                    {{0.0, true}, {0.25, true}, {0.70, false}, {0.95, false}},
                    {2600.0, 3900.0, 6000.0},
                    background};
    }
}

double bearing_defect_frequency(double rotation_hz) {
    constexpr double balls = 8.0;
    constexpr double ball_to_pitch_diameter = 0.2;
    constexpr double contact_angle_cosine = 1.0;
    return balls / 2.0 * rotation_hz * (1.0 - ball_to_pitch_diameter * contact_angle_cosine);
}

std::string attribute_token(Machine machine, int section, Domain domain) {
    switch (machine) {
        case Machine::fan: {
            const auto p = fan_parameters(section, domain);
            return fmt::format("F{}Bld{}Rps{}", section, p.blades, std::lround(p.rotation_hz));
        }
        case Machine::pump: {
            const auto p = pump_parameters(section, domain);
            return fmt::format("P{}Pis{}Rps{}Ld{}", section, p.pistons, std::lround(p.rotation_hz),
                               p.load);
        }
        case Machine::valve: {
            const auto p = valve_parameters(section, domain);
            return fmt::format("V{}Vlv{}Bg{}", section, p.valves, p.background);
        }
    }
    UADSCOPE_ASSERT(false);
}

nlohmann::ordered_json section_parameters(Machine machine, int section, Domain domain) {
    nlohmann::ordered_json parameters;
    parameters["attributes"] = attribute_token(machine, section, domain);
    switch (machine) {
        case Machine::fan: {
            const auto p = fan_parameters(section, domain);
            parameters["blades"] = p.blades;
            parameters["rotation_hz"] = p.rotation_hz;
            parameters["blade_pass_hz"] = p.blade_pass_hz();
            parameters["bearing_defect_hz"] = bearing_defect_frequency(p.rotation_hz);
            break;
        }
        case Machine::pump: {
            const auto p = pump_parameters(section, domain);
            parameters["pistons"] = p.pistons;
            parameters["rotation_hz"] = p.rotation_hz;
            parameters["pulsation_hz"] = p.pulsation_hz();
            parameters["pipe_resonance_hz"] = p.pipe_resonance_hz;
            parameters["load"] = p.load;
            parameters["bearing_defect_hz"] = bearing_defect_frequency(p.rotation_hz);
            break;
        }
        case Machine::valve: {
            const auto p = valve_parameters(section, domain);
            parameters["valves"] = p.valves;
            parameters["period_seconds"] = p.period_seconds;
            auto& events = parameters["events"] = nlohmann::ordered_json::array();
            for (const auto& event : p.events) {
                events.push_back({{"offset_seconds", event.offset_seconds},
                                  {"impact", event.opening ? "opening" : "closing"}});
            }
            parameters["mode_hz"] = p.mode_hz;
            parameters["background"] = p.background == 1 ? "room" : "factory";
            break;
        }
    }
    return parameters;
}

Clip render_clip(const ClipSpec& spec, const Rng& stream) {
    check_section(spec.section);
    UADSCOPE_ASSERT(spec.frames > 0);
    // Independent streams: see the header.
    Rng machine_rng = stream.fork(0);
    Rng background_rng = stream.fork(1);
    Rng anomaly_rng = stream.fork(2);

    Clip clip;
    switch (spec.machine) {
        case Machine::fan:
            clip.samples = render_fan(spec, machine_rng, anomaly_rng, clip.truth);
            break;
        case Machine::pump:
            clip.samples = render_pump(spec, machine_rng, anomaly_rng, clip.truth);
            break;
        case Machine::valve:
            clip.samples = render_valve(spec, machine_rng, anomaly_rng, clip.truth);
            break;
    }
    UADSCOPE_ASSERT(clip.samples.size() == spec.frames);
    add_background(clip.samples, spec.machine, spec.domain, background_rng, clip.truth);

    double peak = 0.0;
    for (const double sample : clip.samples) {
        UADSCOPE_ASSERT(std::isfinite(sample));
        peak = std::max(peak, std::abs(sample));
    }
    double gain = output_gain(spec.machine);
    if (peak * gain > kPeakCeiling) {
        gain = kPeakCeiling / peak;
    }
    for (double& sample : clip.samples) {
        sample *= gain;
    }
    clip.truth["gain"] = gain;
    clip.truth["peak"] = peak * gain;
    return clip;
}

}  // namespace uadscope::synth
