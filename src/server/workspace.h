#pragma once

// Read-only access to a workspace for the explorer: the file table, the map files and the
// score sets, loaded on first use and shared between request threads.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/file_table.h"
#include "server/scores.h"
#include "server/time_span.h"
#include "store/map_file.h"

namespace uadscope::server {

// A map file as listed, without its arrays.
struct MapInfo {
    std::string id;  // file stem: <rep>_s<stack>_<scope>
    std::filesystem::path path;
    std::string rep;
    std::int64_t stack = 1;
    std::string scope;
    std::int64_t points = 0;
    std::int64_t k = 0;  // neighbours per point stored with the map
    FrameTiming timing;
    std::map<std::string, std::string> text;  // root attributes
    std::map<std::string, double> numbers;
    // Reason the map cannot be served (such as a map made from another manifest.csv), or
    // empty when it can be.
    std::string stale;
};

// A loaded map with its viewer coordinates.
//
// Positions are centred on the middle of the bounding box and divided by half its larger
// side in double precision before they become float32, so the whole map lies in [-1, 1] and
// float32 keeps its resolution even when UMAP coordinates are far from 0.
struct LoadedMap {
    MapInfo info;
    store::MapData data;
    std::vector<float> positions;  // [points, 2]
    double center_x = 0;
    double center_y = 0;
    double scale = 1;  // map units per viewer unit
};

class Workspace {
  public:
    // Reads WORK/manifest.csv; throws Error naming the folder or the file when it is not a
    // workspace.
    explicit Workspace(std::filesystem::path root);

    const std::filesystem::path& root() const { return root_; }
    const FileTable& files() const { return files_; }

    // Lists WORK/maps/*.h5 again (maps may appear while the server runs), sorted by id.
    // Files that cannot be read are logged and left out.
    std::vector<MapInfo> list_maps();
    // The map with this id from the latest listing (listing first if there is none yet);
    // nothing for any other id, so a request can never name a file outside WORK/maps.
    std::optional<MapInfo> find_map(const std::string& id);
    // Loads (once) and returns the map; nullptr for an unknown id. Throws Error when the
    // file is malformed, refers to files outside the manifest or is stale (MapInfo::stale).
    std::shared_ptr<const LoadedMap> load_map(const std::string& id);

    // Score sets of WORK/scores, read again when a CSV file there changes.
    std::shared_ptr<const std::vector<ScoreSet>> score_sets();

  private:
    std::filesystem::path root_;
    FileTable files_;
    std::string manifest_fingerprint_;  // of manifest.csv as read with files_
    FrameTiming default_timing_;
    std::mutex mutex_;
    std::vector<MapInfo> listing_;
    bool listed_ = false;
    std::map<std::string, std::shared_ptr<const LoadedMap>> loaded_;
    std::string scores_stamp_;
    std::shared_ptr<const std::vector<ScoreSet>> scores_;
};

// Reads the listing facts of one map file (attributes and shapes, not the arrays).
MapInfo read_map_info(const std::filesystem::path& path, const FrameTiming& fallback_timing);

// Computes the viewer coordinates of `map` (see LoadedMap).
void scale_positions(LoadedMap& map);

}  // namespace uadscope::server
