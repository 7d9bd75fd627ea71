#include "plot/plot_input.h"

#include <cmath>
#include <set>

#include "core/error.h"

namespace uadscope::plot {

FileInfo file_info_of(const dataset::FileRecord& record) {
    FileInfo info;
    info.device = record.name.device;
    info.section = record.name.section;
    info.domain = record.name.domain;
    info.split = record.name.split;
    info.label = record.name.label;
    info.external = record.external;
    info.dataset = record.dataset;
    return info;
}

void PlotInput::validate() const {
    const std::string where =
        "map '" + (map.name.empty() ? std::string("(unnamed)") : map.name) + "'";
    const std::size_t n = file.size();
    if (embedding.size() != 2 * n) {
        throw Error(where + ": embedding has " + std::to_string(embedding.size()) + " values but " +
                    std::to_string(n) + " points need " + std::to_string(2 * n));
    }
    if (!energy.empty() && energy.size() != n) {
        throw Error(where + ": energy has " + std::to_string(energy.size()) + " values for " +
                    std::to_string(n) + " points");
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (file[i] < 0 || static_cast<std::size_t>(file[i]) >= files.size()) {
            throw Error(where + ": point " + std::to_string(i) + " refers to file " +
                        std::to_string(file[i]) + ", but the manifest has " +
                        std::to_string(files.size()) +
                        " files; the map is older than the manifest, rerun `uadscope map`");
        }
        for (int axis = 0; axis < 2; ++axis) {
            const float value = embedding[2 * i + static_cast<std::size_t>(axis)];
            if (!std::isfinite(value)) {
                throw Error(where + ": point " + std::to_string(i) + " has a " +
                            (std::isnan(value) ? "NaN" : "infinite") + " " +
                            (axis == 0 ? "x" : "y") +
                            " coordinate; rerun `uadscope map` or drop the point");
            }
        }
        if (!energy.empty() && !std::isfinite(energy[i])) {
            throw Error(where + ": point " + std::to_string(i) +
                        " has a NaN or infinite energy; rerun `uadscope features`");
        }
    }
}

void PlotOptions::validate() const {
    if (!(dpi >= 10 && dpi <= 1200)) {
        throw UsageError("--dpi " + std::to_string(dpi) + " is out of range [10, 1200]");
    }
    if (cross_exclude < 0) {
        throw UsageError("--cross-exclude " + std::to_string(cross_exclude) + " must be 0 or more");
    }
    if (cross_average < 1) {
        throw UsageError("--cross-average " + std::to_string(cross_average) + " must be 1 or more");
    }
    if (svg_max_vector_points < 0) {
        throw UsageError("--svg-max-vector-points " + std::to_string(svg_max_vector_points) +
                         " must be 0 or more");
    }
}

std::vector<SectionKey> sections_of(const PlotInput& input) {
    std::set<SectionKey> keys;
    std::vector<bool> seen(input.files.size(), false);
    for (const std::int32_t file : input.file) {
        const auto index = static_cast<std::size_t>(file);
        if (seen[index]) {
            continue;
        }
        seen[index] = true;
        const FileInfo& info = input.files[index];
        if (!info.external) {
            keys.insert({info.device, info.section});
        }
    }
    return {keys.begin(), keys.end()};
}

}  // namespace uadscope::plot
