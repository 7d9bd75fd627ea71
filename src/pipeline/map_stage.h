#pragma once

// `uadscope map`: samples stacked frames of a feature file, projects them with UMAP and
// writes WORK/maps/<rep>_s<stack>_<scope>.h5 (layout in docs/formats.md).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "umap/umap.h"

namespace uadscope::pipeline {

enum class MapScope {
    global,   // one map of every device (and external data with `external`)
    device,   // one map per device
    section,  // one map per (device, section)
};

enum class FitMode {
    joint,  // fit on every sampled point (the 2021 paper's maps)
    train,  // fit on training points, then place all other points with transform
};

MapScope parse_map_scope(const std::string& text);
FitMode parse_fit_mode(const std::string& text);
const char* to_string(MapScope scope);
const char* to_string(FitMode fit);

// Sampling caps per group of the 2021 paper: 10 000 vectors per training group and 20 000
// per test group for device and section maps, 1 000 and 2 000 for global maps.
inline constexpr std::int64_t default_max_train_device = 10000;
inline constexpr std::int64_t default_max_test_device = 20000;
inline constexpr std::int64_t default_max_train_global = 1000;
inline constexpr std::int64_t default_max_test_global = 2000;

struct MapStageOptions {
    std::string rep = "log_mel";
    // Consecutive frames per vector, in [1, 64].
    int stack = 1;
    MapScope scope = MapScope::device;
    // Restricts device and section maps to this device; empty maps every device.
    std::string device;
    // Restricts section maps to this section; -1 maps every section.
    int section = -1;
    // Vectors kept per group (device, section, domain, split, label; or one external
    // dataset); -1 uses the scope's default above; 0 keeps all.
    std::int64_t max_train = -1;
    std::int64_t max_test = -1;
    std::uint64_t seed = 0;
    FitMode fit = FitMode::joint;
    // Adds external datasets (indexed with --external) to global and device maps.
    bool external = false;
    // n_neighbors, min_dist, n_epochs, ...; seed and jobs are taken from this struct.
    umap::UmapOptions umap;
    int jobs = 0;
    // Recompute maps even when their inputs and parameters are unchanged.
    bool force = false;
};

struct MapSummary {
    std::string name;  // e.g. log_mel_s5_device-fan
    std::filesystem::path path;
    bool reused = false;  // inputs unchanged: the existing file was kept
    std::int64_t points = 0;
    double trustworthiness = 0;
    double knn_preservation = 0;
    // Error message when the map could not be made (the other fields are then unset), else
    // empty.
    std::string error;
};

// Name of the map of `scope_name` ("global", "device-fan", "section-fan-00").
std::string map_name(const std::string& rep, int stack, const std::string& scope_name);

// Writes one map per scope unit. Throws Error for invalid options, a missing manifest or
// feature file, or when no unit can be mapped (for example a stack longer than every
// file). A unit that cannot be mapped while others can is logged and returned with its
// error set.
std::vector<MapSummary> run_map_stage(const std::filesystem::path& work,
                                      const MapStageOptions& options);

}  // namespace uadscope::pipeline
