#include "server/workspace.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>

#include <spdlog/spdlog.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/hash.h"
#include "dataset/manifest.h"
#include "store/h5.h"

namespace uadscope::server {

namespace fs = std::filesystem;

namespace {

std::map<std::string, double> numeric_attributes(const store::H5File& file) {
    std::map<std::string, double> numbers;
    for (const auto& name : file.attribute_names()) {
        try {
            numbers[name] = file.attribute_double(name);
        } catch (const Error&) {
            // A text attribute; the caller reads those separately.
        }
    }
    return numbers;
}

// Timing recorded in WORK/features/<rep>.h5, or the pipeline defaults.
FrameTiming feature_timing(const fs::path& features_dir, const std::string& rep) {
    const fs::path path = features_dir / (rep + ".h5");
    if (rep.empty() || !fs::is_regular_file(path)) {
        return {};
    }
    try {
        return timing_from_attributes(numeric_attributes(store::H5File::open(path)));
    } catch (const Error& error) {
        spdlog::warn("timing of '{}' not readable, using hop 512 and n_fft 1024 at 16 kHz: {}",
                     path.string(), error.what());
        return {};
    }
}

std::string workspace_stamp(const fs::path& folder) {
    if (!fs::is_directory(folder)) {
        return {};
    }
    Hasher hasher;
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        if (entry.is_regular_file()) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        hasher.add(file_stamp(file));
    }
    return hasher.hex();
}

}  // namespace

MapInfo read_map_info(const fs::path& path, const FrameTiming& fallback_timing) {
    const auto file = store::H5File::open(path);
    MapInfo info;
    info.id = path.stem().string();
    info.path = path;
    for (const auto& name : file.attribute_names()) {
        try {
            info.text[name] = file.attribute_string(name);
        } catch (const Error&) {
            info.numbers[name] = file.attribute_double(name);
        }
    }
    const store::Shape shape = file.shape("embedding");
    if (shape.one_dimensional || shape.cols != 2) {
        throw Error("map '" + path.string() + "': 'embedding' must have shape [points, 2]");
    }
    info.points = shape.rows;
    info.k = file.has_dataset("knn_indices") ? file.shape("knn_indices").cols : 0;

    // rep, stack and scope come from the attributes; the file name <rep>_s<stack>_<scope>
    // fills in what a hand-made file lacks.
    static const std::regex name_pattern(R"((.+)_s(\d+)_(.+))");
    std::smatch match;
    const bool named = std::regex_match(info.id, match, name_pattern);
    info.rep = info.text.count("rep") ? info.text["rep"] : (named ? match[1].str() : info.id);
    info.scope = info.text.count("scope") ? info.text["scope"] : (named ? match[3].str() : "");
    if (info.numbers.count("stack") && info.numbers["stack"] >= 1) {
        info.stack = static_cast<std::int64_t>(info.numbers["stack"]);
    } else if (named) {
        info.stack = std::stoll(match[2].str());
    }
    info.timing = timing_from_attributes(info.numbers, fallback_timing);
    return info;
}

void scale_positions(LoadedMap& map) {
    const auto n = static_cast<std::size_t>(map.data.points);
    double min_x = std::numeric_limits<double>::infinity();
    double min_y = min_x;
    double max_x = -min_x;
    double max_y = -min_x;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = map.data.embedding[2 * i];
        const double y = map.data.embedding[2 * i + 1];
        if (std::isfinite(x) && std::isfinite(y)) {
            min_x = std::min(min_x, x);
            max_x = std::max(max_x, x);
            min_y = std::min(min_y, y);
            max_y = std::max(max_y, y);
        }
    }
    if (min_x > max_x) {
        min_x = max_x = min_y = max_y = 0;  // no finite point
    }
    map.center_x = (min_x + max_x) / 2;
    map.center_y = (min_y + max_y) / 2;
    const double half_side = std::max(max_x - min_x, max_y - min_y) / 2;
    map.scale = half_side > 0 ? half_side : 1;
    map.positions.resize(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        map.positions[2 * i] =
            static_cast<float>((map.data.embedding[2 * i] - map.center_x) / map.scale);
        map.positions[2 * i + 1] =
            static_cast<float>((map.data.embedding[2 * i + 1] - map.center_y) / map.scale);
    }
}

Workspace::Workspace(fs::path root) : root_(std::move(root)) {
    if (!fs::is_directory(root_)) {
        throw Error("workspace '" + root_.string() +
                    "' not found; give the folder that `uadscope run` or `uadscope index` wrote");
    }
    files_ = read_file_table(root_ / "manifest.csv");
    manifest_fingerprint_ = dataset::manifest_fingerprint(read_file(root_ / "manifest.csv"));
}

std::vector<MapInfo> Workspace::list_maps() {
    std::vector<fs::path> paths;
    const fs::path folder = root_ / "maps";
    if (fs::is_directory(folder)) {
        for (const auto& entry : fs::directory_iterator(folder)) {
            if (entry.is_regular_file() && entry.path().extension() == ".h5") {
                paths.push_back(entry.path());
            }
        }
    }
    std::sort(paths.begin(), paths.end());
    std::vector<MapInfo> listing;
    std::map<std::string, FrameTiming> timing_by_rep;
    for (const auto& path : paths) {
        try {
            MapInfo info = read_map_info(path, FrameTiming{});
            // Timing attributes of the map win over those of its feature file.
            auto [timing, inserted] = timing_by_rep.try_emplace(info.rep);
            if (inserted) {
                timing->second = feature_timing(root_ / "features", info.rep);
            }
            info.timing = timing_from_attributes(info.numbers, timing->second);
            try {
                store::check_map_manifest(path, info.text, manifest_fingerprint_);
            } catch (const Error& stale) {
                spdlog::warn("{}", stale.what());
                info.stale = stale.what();
            }
            listing.push_back(std::move(info));
        } catch (const Error& error) {
            spdlog::error("map '{}' left out of the listing: {}", path.string(), error.what());
        }
    }
    std::lock_guard lock(mutex_);
    listing_ = listing;
    listed_ = true;
    return listing;
}

std::optional<MapInfo> Workspace::find_map(const std::string& id) {
    bool listed = false;
    {
        std::lock_guard lock(mutex_);
        listed = listed_;
    }
    if (!listed) {
        list_maps();
    }
    std::lock_guard lock(mutex_);
    for (const auto& info : listing_) {
        if (info.id == id) {
            return info;
        }
    }
    return std::nullopt;
}

std::shared_ptr<const LoadedMap> Workspace::load_map(const std::string& id) {
    auto info = find_map(id);
    if (!info) {
        return nullptr;
    }
    {
        std::lock_guard lock(mutex_);
        const auto found = loaded_.find(id);
        if (found != loaded_.end()) {
            return found->second;
        }
    }
    // Loading happens outside the lock so that other requests are not held up; two threads
    // loading the same map at once both succeed and the second result is dropped.
    if (!info->stale.empty()) {
        throw Error(info->stale);
    }
    auto map = std::make_shared<LoadedMap>();
    map->info = *info;
    map->data = store::read_map(info->path);
    map->info.points = map->data.points;
    map->info.k = map->data.k;
    for (std::size_t i = 0; i < map->data.file_id.size(); ++i) {
        const std::int32_t file = map->data.file_id[i];
        if (file < 0 || static_cast<std::size_t>(file) >= files_.size()) {
            throw Error("map '" + info->path.string() + "': point " + std::to_string(i) +
                        " refers to file " + std::to_string(file) + " but the manifest has " +
                        std::to_string(files_.size()) +
                        " files; rebuild the map after `uadscope index`");
        }
    }
    for (const std::int32_t neighbor : map->data.knn_indices) {
        if (neighbor < 0 || neighbor >= map->data.points) {
            throw Error("map '" + info->path.string() + "': neighbour index " +
                        std::to_string(neighbor) + " is outside the " +
                        std::to_string(map->data.points) + " points; rebuild the map");
        }
    }
    scale_positions(*map);
    spdlog::info("loaded map '{}': {} points, k = {}", id, map->data.points, map->data.k);
    std::lock_guard lock(mutex_);
    return loaded_.try_emplace(id, std::move(map)).first->second;
}

std::shared_ptr<const std::vector<ScoreSet>> Workspace::score_sets() {
    const fs::path folder = root_ / "scores";
    const std::string stamp = workspace_stamp(folder);
    {
        std::lock_guard lock(mutex_);
        if (scores_ && stamp == scores_stamp_) {
            return scores_;
        }
    }
    auto sets = std::make_shared<const std::vector<ScoreSet>>(read_score_sets(folder, files_));
    std::lock_guard lock(mutex_);
    scores_ = sets;
    scores_stamp_ = stamp;
    return sets;
}

}  // namespace uadscope::server
