#pragma once

// Locating the built viewer (web/dist: index.html, app.js, app.css).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace uadscope::server {

// Folders searched for the viewer bundle, in order: $UADSCOPE_WEB_DIR, then
// <binary dir>/../web/dist (a build folder inside the source tree), then
// <binary dir>/../share/uadscope/web (an installed prefix). The binary is /proc/self/exe.
std::vector<std::filesystem::path> web_dir_candidates();

// The first candidate that contains index.html, or nothing.
std::optional<std::filesystem::path> find_web_dir();

// Explains where the bundle was looked for and how to build it.
std::string missing_web_dir_message();

}  // namespace uadscope::server
