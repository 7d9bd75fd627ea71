#pragma once

// Paths inside a workspace folder (see docs/formats.md for what each file contains).

#include <filesystem>
#include <string>
#include <string_view>

namespace uadscope::pipeline {

// Names of the representations that `uadscope features` computes; any other name is an
// imported embedding.
inline constexpr std::string_view rep_log_stft = "log_stft";
inline constexpr std::string_view rep_log_mel = "log_mel";

class Workspace {
  public:
    explicit Workspace(std::filesystem::path root);

    const std::filesystem::path& root() const { return root_; }
    std::filesystem::path manifest() const;                      // WORK/manifest.csv
    std::filesystem::path skipped() const;                       // WORK/skipped.csv
    std::filesystem::path features_folder() const;               // WORK/features
    std::filesystem::path features(std::string_view rep) const;  // WORK/features/<rep>.h5
    // WORK/features/.parts: per-file results of an unfinished features run.
    std::filesystem::path parts_folder() const;

  private:
    std::filesystem::path root_;
};

// True for log_stft and log_mel.
bool is_computed_rep(std::string_view rep);

// Checks that `rep` can name a file: 1 to 64 characters from [A-Za-z0-9_.-], not starting
// with '.'. Throws UsageError naming the value otherwise.
void validate_rep_name(std::string_view rep);

}  // namespace uadscope::pipeline
