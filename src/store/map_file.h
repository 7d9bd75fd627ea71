#pragma once

// Map files: maps/<rep>_s<stack>_<scope>.h5 (layout in docs/formats.md).

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace uadscope::store {

struct MapData {
    std::int64_t points = 0;
    std::vector<float> embedding;       // [points, 2] row-major
    std::vector<std::int32_t> file_id;  // [points] manifest row
    std::vector<std::int32_t> frame;    // [points] first frame of the stack within the file
    std::vector<std::uint8_t> fitted;   // [points] 1 = in the UMAP fit, 0 = placed by transform
    std::int32_t k = 0;                 // neighbours per point in the kNN graph (0 = none stored)
    std::vector<std::int32_t> knn_indices;  // [points, k]
    std::vector<float> knn_distances;       // [points, k]
    // Root attributes: text and numbers (rep, stack, scope, seed, trustworthiness, ...).
    std::map<std::string, std::string> text;
    std::map<std::string, double> numbers;
};

// Writes `map` atomically to `path`; throws Error when the arrays' sizes disagree.
void write_map(const std::filesystem::path& path, const MapData& map);

// Reads a map file; throws Error naming the file when it is missing or malformed.
MapData read_map(const std::filesystem::path& path);

}  // namespace uadscope::store
