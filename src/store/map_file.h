#pragma once

// Map files: maps/<rep>_s<stack>_<scope>.h5 (layout in docs/formats.md).

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
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
    // Root attributes: text and numbers (rep, stack, scope, trustworthiness, ...).
    std::map<std::string, std::string> text;
    std::map<std::string, double> numbers;
    // The UMAP and sampling seed, stored as an unsigned 64-bit integer attribute "seed" so
    // that seeds above 2^53 stay exact. read_map also accepts the float64 "seed" of older
    // files, and puts the seed into `numbers` as well for readers that want a number.
    std::optional<std::uint64_t> seed;
};

// Writes `map` atomically to `path`; throws Error when the arrays' sizes disagree.
void write_map(const std::filesystem::path& path, const MapData& map);

// Reads a map file; throws Error naming the file when it is missing or malformed.
MapData read_map(const std::filesystem::path& path);

// Throws Error when the map at `map_path`, whose text attributes are `map_text`, records a
// "manifest_fingerprint" other than `manifest_fingerprint` (dataset::Manifest::fingerprint of
// the current manifest.csv): its file ids then point to other rows. Maps written before the
// attribute existed are accepted.
void check_map_manifest(const std::filesystem::path& map_path,
                        const std::map<std::string, std::string>& map_text,
                        std::string_view manifest_fingerprint);

}  // namespace uadscope::store
