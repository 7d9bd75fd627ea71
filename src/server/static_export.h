#pragma once

// The static HTML export: one self-contained page with the maps and the viewer, to open from
// disk or send to a colleague. Map data is embedded as base64 binary arrays in a JSON
// <script> element and the viewer bundle is inlined; the page makes no network request and
// plays no audio (its play buttons are disabled with a note).

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace uadscope::server {

// Largest number of points export_html embeds by default, over all maps: about 17 MB of
// points plus the kNN arrays, which browsers open without trouble.
inline constexpr std::size_t default_export_max_points = 2'000'000;

struct ExportHtmlOptions {
    // Viewer bundle folder; nothing searches as `uadscope serve` does (see web_dir.h).
    std::optional<std::filesystem::path> web_dir;
    // Map ids to embed (file stems of WORK/maps/*.h5); empty embeds every map.
    std::vector<std::string> maps;
    // Embed each map's kNN graph for the neighbour panel (points x k x 8 bytes).
    bool neighbors = true;
    // Upper bound on the points of all embedded maps together, >= 1.
    std::size_t max_points = default_export_max_points;
};

// Writes the page for workspace `work` to `out_html` atomically. Throws Error when the bundle
// is missing, a requested map does not exist, or the maps exceed options.max_points.
void export_html(const std::filesystem::path& work, const std::filesystem::path& out_html,
                 const ExportHtmlOptions& options = {});

// Standard base64 (RFC 4648, with padding).
std::string encode_base64(std::string_view bytes);

}  // namespace uadscope::server
