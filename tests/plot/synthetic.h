#pragma once

// Synthetic map data that looks like a DCASE map. Devices have sections as clusters, target
// data lies shifted from source data and anomalies from normal data, and external data is
// spread thinly. Energy grows along each file's trail, like the cone of log-spectra.

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/random.h"
#include "plot/plot_input.h"

namespace uadscope::plot::testing {

struct SyntheticOptions {
    std::vector<std::string> devices = {"fan", "gearbox", "pump"};
    int sections = 3;
    int files_per_class = 4;  // files per (section, domain, split, label)
    int points_per_file = 30;
    bool with_target = true;
    int external_files = 0;
    bool with_energy = true;
    std::uint64_t seed = 1;
};

inline PlotInput synthetic_input(const SyntheticOptions& options) {
    using dataset::Domain;
    using dataset::Label;
    using dataset::Split;
    PlotInput input;
    input.map = {"logmel_s1_synthetic", "logmel", 1, "global", 42};
    Rng rng(options.seed);
    auto add_file = [&](FileInfo info, double cx, double cy, double spread) {
        const auto file_id = static_cast<std::int32_t>(input.files.size());
        input.files.push_back(info);
        const double angle = rng.uniform01() * 6.283;
        for (int k = 0; k < options.points_per_file; ++k) {
            // Points of a file trail along a short arc from the cluster centre outwards.
            const double t = static_cast<double>(k) / options.points_per_file;
            const double x = cx + spread * (t * std::cos(angle) + 0.35 * rng.normal());
            const double y = cy + spread * (t * std::sin(angle) + 0.35 * rng.normal());
            input.embedding.push_back(static_cast<float>(x));
            input.embedding.push_back(static_cast<float>(y));
            input.file.push_back(file_id);
            if (options.with_energy) {
                input.energy.push_back(static_cast<float>(t * 10 + rng.uniform01()));
            }
        }
    };
    const double device_count = static_cast<double>(options.devices.size());
    for (std::size_t d = 0; d < options.devices.size(); ++d) {
        const double device_angle = 6.283 * static_cast<double>(d) / device_count;
        const double dx = 10 * std::cos(device_angle);
        const double dy = 10 * std::sin(device_angle);
        for (int s = 0; s < options.sections; ++s) {
            const double sx = dx + 3 * std::cos(device_angle + 1.5 * s);
            const double sy = dy + 3 * std::sin(device_angle + 1.5 * s);
            for (const Domain domain : {Domain::source, Domain::target}) {
                if (domain == Domain::target && !options.with_target) {
                    continue;
                }
                const double shift = domain == Domain::target ? 1.6 : 0;
                const int train_files = domain == Domain::source ? 3 * options.files_per_class
                                                                 : options.files_per_class;
                for (int f = 0; f < train_files; ++f) {
                    add_file(
                        {options.devices[d], s, domain, Split::train, Label::normal, false, "dev"},
                        sx + shift, sy, 1.0);
                }
                for (int f = 0; f < options.files_per_class; ++f) {
                    add_file(
                        {options.devices[d], s, domain, Split::test, Label::normal, false, "dev"},
                        sx + shift, sy, 1.0);
                    add_file(
                        {options.devices[d], s, domain, Split::test, Label::anomaly, false, "dev"},
                        sx + shift + 0.9, sy + 0.9, 1.2);
                }
            }
        }
    }
    for (int f = 0; f < options.external_files; ++f) {
        add_file({"", -1, Domain::unknown, Split::unknown, Label::unknown, true, "audioset"},
                 rng.normal() * 6, rng.normal() * 6, 6);
    }
    return input;
}

}  // namespace uadscope::plot::testing
