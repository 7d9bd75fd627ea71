#include "pipeline/workspace.h"

#include <fmt/format.h>

#include "core/error.h"
#include "dataset/manifest.h"

namespace uadscope::pipeline {

namespace fs = std::filesystem;

Workspace::Workspace(fs::path root) : root_(fs::absolute(std::move(root)).lexically_normal()) {}

fs::path Workspace::manifest() const {
    return dataset::manifest_path(root_);
}

fs::path Workspace::skipped() const {
    return root_ / "skipped.csv";
}

fs::path Workspace::features_folder() const {
    return root_ / "features";
}

fs::path Workspace::features(std::string_view rep) const {
    return features_folder() / (std::string(rep) + ".h5");
}

fs::path Workspace::parts_folder() const {
    return features_folder() / ".parts";
}

bool is_computed_rep(std::string_view rep) {
    return rep == rep_log_stft || rep == rep_log_mel;
}

void validate_rep_name(std::string_view rep) {
    const bool valid_characters =
        rep.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
        std::string_view::npos;
    if (rep.empty() || rep.size() > 64 || !valid_characters || rep.front() == '.') {
        throw UsageError(
            fmt::format("invalid representation name '{}': use 1 to 64 letters, "
                        "digits, '_', '.' or '-', not starting with '.'",
                        rep));
    }
}

}  // namespace uadscope::pipeline
