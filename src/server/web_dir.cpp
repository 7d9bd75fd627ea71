#include "server/web_dir.h"

#include <cstdlib>
#include <system_error>

namespace uadscope::server {

namespace fs = std::filesystem;

std::vector<fs::path> web_dir_candidates() {
    std::vector<fs::path> candidates;
    if (const char* from_environment = std::getenv("UADSCOPE_WEB_DIR");
        from_environment != nullptr && *from_environment != '\0') {
        candidates.emplace_back(from_environment);
    }
    std::error_code error;
    const fs::path binary = fs::read_symlink("/proc/self/exe", error);
    if (!error) {
        const fs::path binary_dir = binary.parent_path();
        candidates.push_back((binary_dir / ".." / "web" / "dist").lexically_normal());
        candidates.push_back((binary_dir / ".." / "share" / "uadscope" / "web").lexically_normal());
    }
    return candidates;
}

std::optional<fs::path> find_web_dir() {
    for (const auto& candidate : web_dir_candidates()) {
        std::error_code error;
        if (fs::is_regular_file(candidate / "index.html", error)) {
            return candidate;
        }
    }
    return std::nullopt;
}

std::string missing_web_dir_message() {
    std::string message = "the viewer bundle (index.html, app.js, app.css) was not found in";
    for (const auto& candidate : web_dir_candidates()) {
        message += " '" + candidate.string() + "'";
    }
    message +=
        "; build it with `cd web && npm ci && npm run build` (scripts/setup.sh does this) or "
        "set UADSCOPE_WEB_DIR to the folder that holds index.html";
    return message;
}

}  // namespace uadscope::server
