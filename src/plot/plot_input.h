#pragma once

// What a plot draws: map coordinates and, per point, the file it comes from with that
// file's device, section, domain, split, label and dataset, and optionally frame energy.
// This is the in-memory form of a map file joined with the manifest (see workspace_plots.h).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dataset/record.h"

namespace uadscope::plot {

// The manifest fields that the plots use, per audio file.
struct FileInfo {
    std::string device;  // machine type; empty for external data
    int section = -1;    // -1 when the naming scheme has none
    dataset::Domain domain = dataset::Domain::unknown;
    dataset::Split split = dataset::Split::unknown;
    dataset::Label label = dataset::Label::unknown;
    bool external = false;
    std::string dataset;  // dataset name; labels external data in the legend
};

FileInfo file_info_of(const dataset::FileRecord& record);

// The map a plot shows, for its title.
struct MapInfo {
    std::string name;                   // map file stem, e.g. "logmel_s5_device-fan"
    std::string rep;                    // representation, e.g. "logmel"
    int stack = 1;                      // frames per point
    std::string scope;                  // "global", "device-fan" or "section-fan-00"
    std::optional<std::uint64_t> seed;  // UMAP seed, when the map file records it
};

struct PlotInput {
    MapInfo map;
    std::vector<float> embedding;    // [points, 2] row-major map coordinates
    std::vector<std::int32_t> file;  // [points] index into `files`
    std::vector<FileInfo> files;
    // [points] frame energy (sum of power over bins, averaged over the stack), or empty
    // when the representation has none (imported embeddings).
    std::vector<float> energy;

    std::size_t points() const { return file.size(); }
    const FileInfo& file_of(std::size_t point) const {
        return files[static_cast<std::size_t>(file[point])];
    }
    // Throws Error naming the map and the first offending point for mismatched array sizes,
    // a file index outside `files`, or a NaN or infinite coordinate or energy.
    void validate() const;
};

// Defaults, each with its unit and range.
inline constexpr double default_dpi = 300;                  // PNG pixels per inch, [10, 1200]
inline constexpr std::int64_t default_cross_exclude = 500;  // lowest-energy points skipped, >= 0
inline constexpr std::int64_t default_cross_average = 100;  // points averaged, >= 1
// SVG files draw up to this many points as vector paths and embed a raster image of the
// point layer beyond it (paths cost about 300 bytes per point), >= 0.
inline constexpr std::int64_t default_svg_max_vector_points = 20000;

struct PlotOptions {
    double dpi = default_dpi;
    std::uint64_t seed = 0;  // seed of the draw-order shuffle
    std::int64_t cross_exclude = default_cross_exclude;
    std::int64_t cross_average = default_cross_average;
    std::int64_t svg_max_vector_points = default_svg_max_vector_points;
    int threads = 0;  // raster threads; 0 uses every core

    // Throws UsageError naming the first invalid value.
    void validate() const;
};

// One section of one device.
struct SectionKey {
    std::string device;
    int section = -1;

    auto operator<=>(const SectionKey&) const = default;
};

// The sections of the non-external points, sorted by device and section.
std::vector<SectionKey> sections_of(const PlotInput& input);

}  // namespace uadscope::plot
