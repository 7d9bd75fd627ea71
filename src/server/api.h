#pragma once

// Documents the explorer's API returns, shared by the HTTP server and the static HTML
// export so that both hand the viewer the same data. docs/explorer.md describes each one.
//
// JSON never contains NaN or infinity: every number goes through finite_or_null.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "server/workspace.h"

namespace uadscope::server {

// `value` as a JSON number, or null when it is NaN or infinite.
nlohmann::json finite_or_null(double value);

// Map listing entry: id, rep, stack, scope, points, k, timing and attributes.
nlohmann::json map_info_json(const MapInfo& info);
// Listing entry plus the viewer coordinate transform (center_x, center_y, scale).
nlohmann::json loaded_map_json(const LoadedMap& map);

// The file table: count, names, duration_s and the categorical fields with their codes.
nlohmann::json files_json(const FileTable& files);

// Workspace summary: name, file count, maps, score set names and whether audio is served.
nlohmann::json workspace_json(Workspace& workspace, bool audio);

// Score set: name, matched rows and one score per file (null when the file has none).
nlohmann::json score_set_json(const ScoreSet& set);

// Layout of the binary points block, little-endian, each array starting on a 4-byte
// boundary: positions float32 [count, 2], file_id int32 [count], frame int32 [count],
// fitted uint8 [count] padded with zeros to a multiple of 4 bytes.
std::size_t points_block_size(std::size_t count);
// Points [offset, offset + count) of `map` in that layout; the range must lie in the map.
std::string points_block(const LoadedMap& map, std::size_t offset, std::size_t count);

// Everything known about one point: file fields, frame, time span, map coordinates and the
// scores of its file. `point` must be below the map's point count.
nlohmann::json point_details_json(const LoadedMap& map, const FileTable& files,
                                  const std::vector<ScoreSet>& scores, std::size_t point);

// The stored nearest neighbours of `point` in the original feature space, nearest first,
// each with its file, frame, split, label and time span.
nlohmann::json neighbors_json(const LoadedMap& map, const FileTable& files, std::size_t point);

}  // namespace uadscope::server
