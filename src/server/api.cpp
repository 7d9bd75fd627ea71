#include "server/api.h"

#include <cmath>
#include <cstring>

#include "core/error.h"

namespace uadscope::server {

using nlohmann::json;

namespace {

json span_json(const LoadedMap& map, const FileTable& files, std::size_t point) {
    const auto file = static_cast<std::size_t>(map.data.file_id[point]);
    const TimeSpan span =
        point_span(map.data.frame[point], map.info.stack, map.info.timing, files.duration_s[file]);
    return {{"start_s", finite_or_null(span.start_s)}, {"end_s", finite_or_null(span.end_s)}};
}

template <typename T>
void append_bytes(std::string& out, const T* values, std::size_t count) {
    const std::size_t bytes = count * sizeof(T);
    const std::size_t at = out.size();
    out.resize(at + bytes);
    if (bytes > 0) {
        std::memcpy(out.data() + at, values, bytes);
    }
}

}  // namespace

json finite_or_null(double value) {
    return std::isfinite(value) ? json(value) : json(nullptr);
}

json map_info_json(const MapInfo& info) {
    json text = json::object();
    for (const auto& [name, value] : info.text) {
        text[name] = value;
    }
    json numbers = json::object();
    for (const auto& [name, value] : info.numbers) {
        numbers[name] = finite_or_null(value);
    }
    return {{"id", info.id},
            {"rep", info.rep},
            {"stack", info.stack},
            {"scope", info.scope},
            {"points", info.points},
            {"k", info.k},
            {"hop_s", finite_or_null(info.timing.hop_s)},
            {"window_s", finite_or_null(info.timing.window_s)},
            {"attributes", text},
            {"numbers", numbers},
            {"stale", info.stale.empty() ? json(nullptr) : json(info.stale)}};
}

json loaded_map_json(const LoadedMap& map) {
    json result = map_info_json(map.info);
    result["center_x"] = finite_or_null(map.center_x);
    result["center_y"] = finite_or_null(map.center_y);
    result["scale"] = finite_or_null(map.scale);
    return result;
}

json files_json(const FileTable& files) {
    json durations = json::array();
    for (const double duration : files.duration_s) {
        durations.push_back(finite_or_null(duration));
    }
    json fields = json::array();
    for (const auto& field : files.fields) {
        fields.push_back({{"name", field.name}, {"values", field.values}, {"codes", field.codes}});
    }
    return {{"count", files.size()},
            {"names", files.names},
            {"duration_s", durations},
            {"fields", fields}};
}

json workspace_json(Workspace& workspace, bool audio) {
    json maps = json::array();
    for (const auto& info : workspace.list_maps()) {
        maps.push_back(map_info_json(info));
    }
    json score_names = json::array();
    for (const auto& set : *workspace.score_sets()) {
        score_names.push_back({{"name", set.name}, {"matched", set.matched}});
    }
    return {{"name", workspace.root().filename().string()},
            {"files", workspace.files().size()},
            {"maps", maps},
            {"scores", score_names},
            {"audio", audio}};
}

json score_set_json(const ScoreSet& set) {
    json values = json::array();
    for (const double score : set.scores) {
        values.push_back(finite_or_null(score));
    }
    return {{"name", set.name}, {"matched", set.matched}, {"scores", values}};
}

std::size_t points_block_size(std::size_t count) {
    return count * (2 * sizeof(float) + 2 * sizeof(std::int32_t)) + (count + 3) / 4 * 4;
}

std::string points_block(const LoadedMap& map, std::size_t offset, std::size_t count) {
    UADSCOPE_ASSERT(offset + count <= static_cast<std::size_t>(map.data.points));
    std::string block;
    block.reserve(points_block_size(count));
    append_bytes(block, map.positions.data() + 2 * offset, 2 * count);
    append_bytes(block, map.data.file_id.data() + offset, count);
    append_bytes(block, map.data.frame.data() + offset, count);
    append_bytes(block, map.data.fitted.data() + offset, count);
    block.resize(points_block_size(count), '\0');
    return block;
}

json point_details_json(const LoadedMap& map, const FileTable& files,
                        const std::vector<ScoreSet>& scores, std::size_t point) {
    UADSCOPE_ASSERT(point < static_cast<std::size_t>(map.data.points));
    const auto file = static_cast<std::size_t>(map.data.file_id[point]);
    json manifest = json::object();
    for (std::size_t c = 0; c < files.columns.size(); ++c) {
        manifest[files.columns[c]] = files.rows[file][c];
    }
    json file_scores = json::object();
    for (const auto& set : scores) {
        file_scores[set.name] = finite_or_null(set.scores[file]);
    }
    json details = {{"map", map.info.id},
                    {"point", point},
                    {"file_id", file},
                    {"name", files.names[file]},
                    {"frame", map.data.frame[point]},
                    {"stack", map.info.stack},
                    {"fitted", map.data.fitted[point] != 0},
                    {"x", finite_or_null(map.data.embedding[2 * point])},
                    {"y", finite_or_null(map.data.embedding[2 * point + 1])},
                    {"duration_s", finite_or_null(files.duration_s[file])},
                    {"manifest", manifest},
                    {"scores", file_scores}};
    details.update(span_json(map, files, point));
    return details;
}

json neighbors_json(const LoadedMap& map, const FileTable& files, std::size_t point) {
    UADSCOPE_ASSERT(point < static_cast<std::size_t>(map.data.points));
    json list = json::array();
    const auto k = static_cast<std::size_t>(map.data.k);
    for (std::size_t j = 0; j < k; ++j) {
        const auto neighbor = static_cast<std::size_t>(map.data.knn_indices[point * k + j]);
        const auto file = static_cast<std::size_t>(map.data.file_id[neighbor]);
        json entry = {{"point", neighbor},
                      {"distance", finite_or_null(map.data.knn_distances[point * k + j])},
                      {"file_id", file},
                      {"name", files.names[file]},
                      {"frame", map.data.frame[neighbor]},
                      {"split", files.value(file, "split")},
                      {"label", files.value(file, "label")}};
        entry.update(span_json(map, files, neighbor));
        list.push_back(std::move(entry));
    }
    return {{"map", map.info.id}, {"point", point}, {"k", k}, {"neighbors", list}};
}

}  // namespace uadscope::server
