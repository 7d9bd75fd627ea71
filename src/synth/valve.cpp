// Solenoid valve: plunger impacts ringing the valve body in a repeating actuation pattern,
// with flow hiss while the valve is open.

#include <algorithm>
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

// Amplitudes and decay times of the three body modes after an opening impact. A closing
// impact (plunger driven onto the seat by its spring and the line pressure) is 30 % stronger,
// 15 % lower in frequency (the seat adds mass to the vibrating body) and rings 50 % longer.
constexpr std::array<double, 3> mode_amplitude = {1.0, 0.6, 0.4};
constexpr std::array<double, 3> mode_decay_seconds = {0.006, 0.004, 0.003};
constexpr double closing_amplitude = 1.3;
constexpr double closing_frequency = 0.85;
constexpr double closing_decay = 1.5;
// Contact force of each impact: a half-sine pulse (Hertzian contact) of 0.25 ms, heard as
// a broadband click up to about 4 kHz.
constexpr double contact_seconds = 0.00025;
constexpr double contact_level = 0.5;
// Flow hiss per open valve, and the time constant with which it follows the valve state.
constexpr double flow_level = 0.03;
constexpr double flow_low_hz = 800.0;
constexpr double flow_high_hz = 3000.0;
constexpr double gate_seconds = 0.005;
// Seat leakage: hiss band while all valves are closed.
constexpr double leak_low_hz = 2000.0;
constexpr double leak_high_hz = 6000.0;
// An extra impact keeps at least this distance from the regular ones.
constexpr double extra_min_gap_seconds = 0.06;

struct Impact {
    double time;
    bool opening;
    double amplitude;
    std::array<double, 3> phase;
    // A bounce rings like a closing impact but leaves the valve state as it was.
    bool bounce = false;
};

Impact draw_impact(Rng& rng, double time, bool opening, double strength) {
    Impact impact{time, opening, strength * jitter(rng, 1.0, 0.1), {}};
    for (double& phase : impact.phase) {
        phase = 2.0 * pi * rng.uniform01();
    }
    return impact;
}

void add_impact(std::span<double> signal, const Impact& impact,
                const std::array<double, 3>& mode_hz) {
    const double frequency_scale = impact.opening ? 1.0 : closing_frequency;
    const double decay_scale = impact.opening ? 1.0 : closing_decay;
    for (std::size_t m = 0; m < mode_hz.size(); ++m) {
        add_mode(signal, sample_rate, impact.time, mode_hz[m] * frequency_scale,
                 mode_decay_seconds[m] * decay_scale, impact.amplitude * mode_amplitude[m],
                 impact.phase[m]);
    }
    const auto first = static_cast<std::ptrdiff_t>(std::ceil(impact.time * sample_rate));
    const auto last = static_cast<std::ptrdiff_t>((impact.time + contact_seconds) * sample_rate);
    for (auto n = std::max<std::ptrdiff_t>(first, 0);
         n <= last && n < static_cast<std::ptrdiff_t>(signal.size()); ++n) {
        const double dt = static_cast<double>(n) / sample_rate - impact.time;
        signal[static_cast<std::size_t>(n)] +=
            contact_level * impact.amplitude * std::sin(pi * dt / contact_seconds);
    }
}

// Number of open valves at every sample, smoothed, from impacts sorted by time (including
// those before the clip starts, which set the initial state).
std::vector<double> open_valves(const std::vector<Impact>& impacts, std::size_t frames) {
    std::vector<double> state(frames);
    std::size_t next = 0;
    int open = 0;
    double smoothed = -1.0;
    const double smoothing = std::exp(-1.0 / (gate_seconds * sample_rate));
    for (std::size_t n = 0; n < frames; ++n) {
        const double t = static_cast<double>(n) / sample_rate;
        while (next < impacts.size() && impacts[next].time <= t) {
            const Impact& impact = impacts[next];
            if (!impact.bounce) {
                open = impact.opening ? open + 1 : std::max(0, open - 1);
            }
            ++next;
        }
        smoothed = smoothed < 0.0 ? open : smoothing * smoothed + (1.0 - smoothing) * open;
        state[n] = smoothed;
    }
    return state;
}

// Anomalous clips lose or gain between 1 and this many impacts.
constexpr int max_changed_impacts = 3;

// Removes 1 to 3 impacts inside the clip, but never more than half of them (at least one):
// the plunger stuck, or the coil missed a pulse.
void remove_impacts(std::vector<Impact>& impacts, double duration, Rng& rng,
                    nlohmann::ordered_json& truth) {
    auto is_inside = [&](const Impact& impact) {
        return impact.time >= 0.0 && impact.time < duration;
    };
    const auto available =
        static_cast<std::uint64_t>(std::count_if(impacts.begin(), impacts.end(), is_inside));
    const auto count = std::min<std::uint64_t>(1 + rng.uniform_int(max_changed_impacts),
                                               std::max<std::uint64_t>(1, available / 2));
    auto& times = truth["missing_times"] = nlohmann::ordered_json::array();
    for (std::uint64_t removed = 0; removed < count; ++removed) {
        std::vector<std::size_t> inside;
        for (std::size_t i = 0; i < impacts.size(); ++i) {
            if (is_inside(impacts[i])) {
                inside.push_back(i);
            }
        }
        if (inside.empty()) {
            return;
        }
        const std::size_t chosen = inside[rng.uniform_int(inside.size())];
        times.push_back(impacts[chosen].time);
        impacts.erase(impacts.begin() + static_cast<std::ptrdiff_t>(chosen));
    }
}

// Adds 1 to 3 impacts between the regular ones: the plunger bouncing off the seat, or
// chattering on a weak supply.
void insert_impacts(std::vector<Impact>& impacts, double duration, Rng& rng,
                    nlohmann::ordered_json& truth) {
    const auto count = 1 + rng.uniform_int(max_changed_impacts);
    auto& times = truth["extra_times"] = nlohmann::ordered_json::array();
    for (int attempt = 0; attempt < 100 && times.size() < count; ++attempt) {
        const double time = rng.uniform01() * duration;
        const bool clear = std::none_of(impacts.begin(), impacts.end(), [&](const Impact& other) {
            return std::abs(other.time - time) < extra_min_gap_seconds;
        });
        if (clear) {
            const double strength = jitter(rng, 0.8, 0.2);
            Impact bounce = draw_impact(rng, time, false, strength);
            bounce.bounce = true;
            impacts.push_back(bounce);
            times.push_back(time);
        }
    }
}

}  // namespace

std::vector<double> render_valve(const ClipSpec& spec, Rng& machine_rng, Rng& anomaly_rng,
                                 nlohmann::ordered_json& truth) {
    const ValveParameters nominal = valve_parameters(spec.section, spec.domain);
    const std::size_t frames = spec.frames;
    const double duration = static_cast<double>(frames) / sample_rate;

    // Controller timing drifts by up to 0.5 % between clips and 2 ms between impacts.
    const double period = nominal.period_seconds * jitter(machine_rng, 1.0, 0.005);
    std::vector<Impact> impacts;
    for (double start = -machine_rng.uniform01() * period; start < duration; start += period) {
        for (const ValveEvent& event : nominal.events) {
            const double time = start + event.offset_seconds + jitter(machine_rng, 0.0, 0.002);
            impacts.push_back(draw_impact(machine_rng, time, event.opening,
                                          event.opening ? 1.0 : closing_amplitude));
        }
    }
    std::vector<double> flow =
        leakage_hiss(frames, flow_low_hz, flow_high_hz, flow_level, machine_rng);

    double leak_level = 0.0;
    std::vector<double> leak;
    switch (spec.anomaly) {
        case Anomaly::none:
            break;
        case Anomaly::missing_impact:
            remove_impacts(impacts, duration, anomaly_rng, truth);
            break;
        case Anomaly::extra_impact:
            insert_impacts(impacts, duration, anomaly_rng, truth);
            break;
        case Anomaly::leakage:
            leak_level = jitter(anomaly_rng, 0.04, 0.01);
            leak = leakage_hiss(frames, leak_low_hz, leak_high_hz, leak_level, anomaly_rng);
            truth["leak_band_hz"] = {leak_low_hz, leak_high_hz};
            truth["leak_rms"] = leak_level;
            break;
        default:
            UADSCOPE_ASSERT(false);
    }
    std::stable_sort(impacts.begin(), impacts.end(),
                     [](const Impact& a, const Impact& b) { return a.time < b.time; });

    std::vector<double> signal(frames, 0.0);
    std::size_t impacts_in_clip = 0;
    for (const Impact& impact : impacts) {
        add_impact(signal, impact, nominal.mode_hz);
        impacts_in_clip += impact.time >= 0.0 && impact.time < duration ? 1 : 0;
    }
    const std::vector<double> open = open_valves(impacts, frames);
    for (std::size_t n = 0; n < frames; ++n) {
        signal[n] += open[n] * flow[n];
        if (!leak.empty()) {
            // The leak hisses only while no valve is open; an open valve's flow masks it.
            signal[n] += std::max(0.0, 1.0 - open[n]) * leak[n];
        }
    }

    truth["period_seconds"] = period;
    truth["impacts"] = impacts_in_clip;
    truth["mode_hz"] = nominal.mode_hz;
    return signal;
}

}  // namespace uadscope::synth
