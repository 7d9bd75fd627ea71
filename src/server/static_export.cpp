#include "server/static_export.h"

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "server/api.h"
#include "server/web_dir.h"
#include "server/workspace.h"

namespace uadscope::server {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The bundle's index.html refers to these two files; the export inlines them in their place.
constexpr std::string_view stylesheet_tag = R"(<link rel="stylesheet" href="app.css">)";
constexpr std::string_view script_tag = R"(<script src="app.js"></script>)";

template <typename T>
std::string bytes_of(const std::vector<T>& values) {
    std::string bytes(values.size() * sizeof(T), '\0');
    if (!values.empty()) {
        std::memcpy(bytes.data(), values.data(), bytes.size());
    }
    return bytes;
}

// Replaces every `from` in `text` with `to`.
std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (std::size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

void replace_once(std::string& page, std::string_view tag, const std::string& replacement,
                  const fs::path& index) {
    const std::size_t at = page.find(tag);
    if (at == std::string::npos) {
        throw Error("viewer bundle '" + index.string() + "' has no " + std::string(tag) +
                    "; rebuild it with `cd web && npm ci && npm run build`");
    }
    page.replace(at, tag.size(), replacement);
}

std::vector<MapInfo> selected_maps(Workspace& workspace, const ExportHtmlOptions& options) {
    const std::vector<MapInfo> listing = workspace.list_maps();
    if (options.maps.empty()) {
        return listing;
    }
    std::vector<MapInfo> chosen;
    for (const auto& id : options.maps) {
        const auto found = std::find_if(listing.begin(), listing.end(),
                                        [&](const MapInfo& info) { return info.id == id; });
        if (found == listing.end()) {
            std::string available;
            for (const auto& info : listing) {
                available += (available.empty() ? "" : ", ") + info.id;
            }
            throw Error("map '" + id + "' is not in '" + (workspace.root() / "maps").string() +
                        "'; available: " + (available.empty() ? "none" : available));
        }
        chosen.push_back(*found);
    }
    return chosen;
}

}  // namespace

std::string encode_base64(std::string_view bytes) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const auto triple =
            static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]) << 16 |
                                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                                       static_cast<unsigned char>(bytes[i + 2]));
        out += alphabet[triple >> 18 & 63];
        out += alphabet[triple >> 12 & 63];
        out += alphabet[triple >> 6 & 63];
        out += alphabet[triple & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        std::uint32_t triple =
            static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]) << 16);
        if (rest == 2) {
            triple |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1]) << 8);
        }
        out += alphabet[triple >> 18 & 63];
        out += alphabet[triple >> 12 & 63];
        out += rest == 2 ? alphabet[triple >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

void export_html(const fs::path& work, const fs::path& out_html, const ExportHtmlOptions& options) {
    if (options.max_points < 1) {
        throw Error("export max points must be at least 1");
    }
    const auto web_dir = options.web_dir ? options.web_dir : find_web_dir();
    if (!web_dir || !fs::is_regular_file(*web_dir / "index.html")) {
        throw Error(web_dir ? "viewer bundle '" + web_dir->string() +
                                  "' has no index.html; rebuild it with `cd web && npm ci && "
                                  "npm run build`"
                            : missing_web_dir_message());
    }

    Workspace workspace(work);
    const std::vector<MapInfo> maps = selected_maps(workspace, options);
    std::size_t total = 0;
    for (const auto& info : maps) {
        total += static_cast<std::size_t>(info.points);
    }
    if (total > options.max_points) {
        throw Error("the maps of '" + work.string() + "' hold " + std::to_string(total) +
                    " points, more than the export limit of " + std::to_string(options.max_points) +
                    "; choose fewer maps or raise the limit");
    }

    json data;
    json workspace_summary = workspace_json(workspace, false);
    workspace_summary["maps"] = json::array();
    data["maps"] = json::array();
    for (const auto& info : maps) {
        const auto map = workspace.load_map(info.id);
        UADSCOPE_ASSERT(map != nullptr);
        json entry = {{"meta", loaded_map_json(*map)},
                      {"points", encode_base64(points_block(
                                     *map, 0, static_cast<std::size_t>(map->data.points)))}};
        // Without the arrays the viewer says that neighbours were left out of the export.
        if (options.neighbors && map->data.k > 0) {
            entry["knn_indices"] = encode_base64(bytes_of(map->data.knn_indices));
            entry["knn_distances"] = encode_base64(bytes_of(map->data.knn_distances));
        }
        workspace_summary["maps"].push_back(entry["meta"]);
        data["maps"].push_back(std::move(entry));
    }
    data["workspace"] = workspace_summary;
    data["files"] = files_json(workspace.files());
    data["scores"] = json::array();
    for (const auto& set : *workspace.score_sets()) {
        data["scores"].push_back(score_set_json(set));
    }

    const fs::path index = *web_dir / "index.html";
    std::string page = read_file(index);
    // "</" cannot end the <script> or <style> element early once it is written "<\/", which
    // JSON, JavaScript strings and CSS all read as "</".
    const std::string data_text =
        replace_all(data.dump(-1, ' ', false, json::error_handler_t::replace), "</", "<\\/");
    const std::string script =
        replace_all(read_file(*web_dir / "app.js"), "</script", "<\\/script");
    const std::string style = replace_all(read_file(*web_dir / "app.css"), "</style", "<\\/style");
    replace_once(page, stylesheet_tag, "<style>" + style + "</style>", index);
    replace_once(page, script_tag,
                 "<script id=\"uadscope-data\" type=\"application/json\">" + data_text +
                     "</script>\n<script>" + script + "</script>",
                 index);
    write_file_atomic(out_html, page);
    spdlog::info("wrote '{}': {} maps, {} points, {} files", out_html.string(), maps.size(), total,
                 workspace.files().size());
}

}  // namespace uadscope::server
