#include "server/scores.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <regex>

#include <spdlog/spdlog.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "dataset/csv.h"

namespace uadscope::server {

namespace fs = std::filesystem;

namespace {

// Parses a score with strtod, which also accepts "nan" and "inf"; those are kept and later
// sent to the viewer as null.
bool parse_score(const std::string& text, double& value) {
    if (text.empty()) {
        return false;
    }
    char* end = nullptr;
    value = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size();
}

std::vector<fs::path> csv_files_in(const fs::path& folder) {
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.is_regular_file() && entry.path().extension() == ".csv") {
            found.push_back(entry.path());
        }
    }
    std::sort(found.begin(), found.end());
    return found;
}

// `uadscope score` names a device that occurs under several naming schemes
// "<device>-<scheme>" in its score files, so a file is found under both names.
class FileMatcher {
  public:
    explicit FileMatcher(const FileTable& files) : has_device_(files.column("device") >= 0) {
        const bool has_scheme = files.column("scheme") >= 0;
        for (std::size_t file = 0; file < files.size(); ++file) {
            const std::string base = files.paths[file].filename().string();
            const std::string device = has_device_ ? files.value(file, "device") : std::string();
            by_name_[{device, base}].push_back(file);
            if (has_device_ && has_scheme && !device.empty()) {
                by_name_[{device + "-" + files.value(file, "scheme"), base}].push_back(file);
            }
        }
    }
    const std::vector<std::size_t>* find(const std::string& device, const std::string& name) const {
        const auto found = by_name_.find({has_device_ ? device : std::string(), name});
        return found == by_name_.end() ? nullptr : &found->second;
    }

  private:
    bool has_device_;
    std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> by_name_;
};

void read_score_csv(const fs::path& csv, const std::string& device, const FileMatcher& matcher,
                    ScoreSet& set) {
    const std::string source = "score file '" + csv.string() + "'";
    std::size_t unmatched = 0;
    bool first = true;
    for (const auto& row : dataset::parse_csv(read_file(csv), csv)) {
        double score = 0;
        if (row.size() < 2 || !parse_score(row[1], score)) {
            if (first) {
                first = false;
                continue;  // a header row such as "file_name,score"
            }
            throw Error(source + ": row '" + row[0] +
                        "' has no numeric score; expected rows 'file_name,score'");
        }
        first = false;
        const auto* matches = matcher.find(device, fs::path(row[0]).filename().string());
        if (matches == nullptr) {
            ++unmatched;
            continue;
        }
        for (const std::size_t file : *matches) {
            set.scores[file] = score;
        }
        ++set.matched;
    }
    if (unmatched > 0) {
        spdlog::warn("{}: {} rows name files that are not in the manifest", source, unmatched);
        set.unmatched += unmatched;
    }
}

}  // namespace

std::vector<ScoreSet> read_score_sets(const fs::path& scores_dir, const FileTable& files) {
    std::vector<ScoreSet> sets;
    if (!fs::is_directory(scores_dir)) {
        return sets;
    }
    static const std::regex dcase_name(R"(anomaly_score_(.+)_(section|id)_(\d+)(_test)?\.csv)");
    const FileMatcher matcher(files);

    std::vector<std::pair<std::string, fs::path>> folders = {{"scores", scores_dir}};
    std::vector<fs::path> subfolders;
    for (const auto& entry : fs::directory_iterator(scores_dir)) {
        if (entry.is_directory()) {
            subfolders.push_back(entry.path());
        }
    }
    std::sort(subfolders.begin(), subfolders.end());
    for (const auto& folder : subfolders) {
        folders.emplace_back(folder.filename().string(), folder);
    }

    for (const auto& [name, folder] : folders) {
        ScoreSet set;
        set.name = name;
        set.scores.assign(files.size(), std::numeric_limits<double>::quiet_NaN());
        bool any = false;
        for (const auto& csv : csv_files_in(folder)) {
            std::smatch match;
            const std::string base = csv.filename().string();
            if (!base.starts_with("anomaly_score_")) {
                // result.csv, decision_result_*.csv and other evaluator files sit beside the
                // score files and are not scores.
                continue;
            }
            if (!std::regex_match(base, match, dcase_name)) {
                spdlog::warn(
                    "score file '{}' skipped: expected a name like "
                    "anomaly_score_<machine>_section_<NN>_test.csv",
                    csv.string());
                continue;
            }
            try {
                read_score_csv(csv, match[1].str(), matcher, set);
                any = true;
            } catch (const Error& error) {
                spdlog::error("{}", error.what());
            }
        }
        if (any) {
            sets.push_back(std::move(set));
        }
    }
    return sets;
}

}  // namespace uadscope::server
