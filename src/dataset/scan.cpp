#include "dataset/scan.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/error.h"

namespace uadscope::dataset {

namespace fs = std::filesystem;

namespace {

bool is_hidden(const fs::path& relative) {
    for (const auto& part : relative) {
        const std::string name = part.string();
        if (!name.empty() && name[0] == '.' && name != "." && name != "..") {
            return true;
        }
    }
    return false;
}

fs::path normal_folder(const fs::path& folder) {
    fs::path result = fs::absolute(folder).lexically_normal();
    if (!result.has_filename() && result.has_parent_path() && result != result.root_path()) {
        result = result.parent_path();
    }
    return result;
}

struct Candidate {
    std::size_t root = 0;  // index into the sorted roots
    fs::path path;
    std::string relative_path;
    std::string identity;  // canonical path, to find a file reached from two roots
};

std::string describe(const std::error_code& error) {
    return error == std::errc::permission_denied ? "permission denied" : error.message();
}

// Lists the audio files below `root`, following links to folders but entering each folder
// (by canonical path) once, so that a link loop ends. Hidden folders are not entered. Hidden
// audio files, folders named like audio files and unreadable folders are skipped with the
// reason. Unreadable folders are also added to `unreadable`, with the cause alone.
void list_audio_files(const DatasetRoot& root, std::size_t root_index,
                      std::vector<Candidate>& candidates, std::vector<SkippedFile>& skipped,
                      std::vector<SkippedFile>& unreadable) {
    std::set<fs::path> visited;
    std::vector<fs::path> folders{root.folder};
    std::size_t repeated_folders = 0;
    while (!folders.empty()) {
        const fs::path folder = folders.back();
        folders.pop_back();
        std::error_code error;
        const fs::path canonical = fs::canonical(folder, error);
        if (!error && !visited.insert(canonical).second) {
            if (repeated_folders++ == 0) {
                spdlog::info("'{}' links to the folder '{}', which is scanned once",
                             folder.string(), canonical.string());
            }
            continue;
        }
        fs::directory_iterator it(folder, error);
        if (error) {
            skipped.push_back(
                {folder.string(), fmt::format("folder not readable ({}); its files are not indexed",
                                              describe(error))});
            unreadable.push_back({folder.string(), describe(error)});
            continue;
        }
        for (; it != fs::directory_iterator(); it.increment(error)) {
            if (error) {
                break;
            }
            const fs::directory_entry& entry = *it;
            const fs::path relative = entry.path().lexically_relative(root.folder);
            std::error_code type_error;
            // is_directory follows symbolic links, so a link to a folder is entered.
            if (entry.is_directory(type_error)) {
                if (is_hidden(relative.filename())) {
                    continue;
                }
                if (is_audio_file(entry.path())) {
                    skipped.push_back({entry.path().string(),
                                       "a folder, not a file (named like an audio file; its "
                                       "contents are scanned)"});
                }
                folders.push_back(entry.path());
                continue;
            }
            if (!is_audio_file(entry.path())) {
                continue;
            }
            if (!entry.is_regular_file(type_error)) {
                skipped.push_back({entry.path().string(), "not a regular file (broken link?)"});
                continue;
            }
            if (is_hidden(relative)) {
                skipped.push_back({entry.path().string(),
                                   "hidden file (a name starting with '.', such as a macOS '._' "
                                   "resource fork)"});
                continue;
            }
            fs::path identity = fs::weakly_canonical(entry.path(), type_error);
            if (type_error) {
                identity = entry.path();
            }
            candidates.push_back(
                {root_index, entry.path(), relative.generic_string(), identity.string()});
        }
        if (error) {
            skipped.push_back(
                {folder.string(), fmt::format("folder listing failed ({}); some of its files may "
                                              "not be indexed",
                                              describe(error))});
            unreadable.push_back({folder.string(), describe(error)});
        }
    }
    if (repeated_folders > 1) {
        spdlog::info("{} links below '{}' lead to folders already scanned", repeated_folders,
                     root.folder.string());
    }
}

}  // namespace

DatasetRoot parse_dataset_root(const std::string& argument, bool external) {
    DatasetRoot root;
    root.external = external;
    const auto equals = argument.find('=');
    std::string folder = argument;
    if (equals != std::string::npos) {
        root.name = argument.substr(0, equals);
        folder = argument.substr(equals + 1);
        if (root.name.empty()) {
            throw UsageError(
                fmt::format("dataset argument '{}' has an empty NAME before '='", argument));
        }
    } else if (external) {
        throw UsageError(fmt::format("--external '{}' needs the form NAME=DIR", argument));
    }
    if (folder.empty()) {
        throw UsageError(fmt::format("dataset argument '{}' has no folder", argument));
    }
    root.folder = normal_folder(folder);
    if (!fs::is_directory(root.folder)) {
        throw UsageError(
            fmt::format("dataset folder '{}' not found or not a folder", root.folder.string()));
    }
    if (root.name.empty()) {
        root.name = root.folder.filename().string();
    }
    return root;
}

ScanResult scan_datasets(const std::vector<DatasetRoot>& roots,
                         const std::vector<Scheme>& schemes) {
    std::set<std::string> names;
    for (const DatasetRoot& root : roots) {
        if (!names.insert(root.name).second) {
            throw UsageError(
                fmt::format("two dataset roots are named '{}': give one of them "
                            "another name with NAME=DIR",
                            root.name));
        }
    }
    std::vector<DatasetRoot> sorted = roots;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.folder < b.folder; });

    ScanResult result;
    std::vector<Candidate> candidates;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        list_audio_files(sorted[i], i, candidates, result.skipped, result.unreadable_folders);
    }
    std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
        return a.root != b.root ? a.root < b.root : a.relative_path < b.relative_path;
    });

    // A file reached from two roots keeps the external root, else the first one.
    std::map<std::string, std::size_t> chosen;
    std::size_t shared_files = 0;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const auto [it, inserted] = chosen.emplace(candidates[i].identity, i);
        if (inserted) {
            continue;
        }
        const Candidate& kept = candidates[it->second];
        if (shared_files++ == 0) {
            spdlog::info("'{}' is below two dataset roots ('{}' and '{}'), so it is listed once",
                         candidates[i].path.string(), sorted[kept.root].folder.string(),
                         sorted[candidates[i].root].folder.string());
        }
        if (sorted[candidates[i].root].external && !sorted[kept.root].external) {
            it->second = i;
        }
    }
    if (shared_files > 1) {
        spdlog::info(
            "{} files are below two dataset roots; each is listed once, under the "
            "external root when one of the two is external",
            shared_files);
    }

    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const Candidate& candidate = candidates[i];
        if (chosen.at(candidate.identity) != i) {
            continue;
        }
        const DatasetRoot& root = sorted[candidate.root];
        const NameMatch match = root.external ? parse_path(candidate.path, Scheme::external)
                                              : parse_path(candidate.path, schemes);
        if (!match.name) {
            result.skipped.push_back({candidate.path.string(), match.reason});
            continue;
        }
        FileRecord record;
        record.file_id = static_cast<std::int64_t>(result.records.size());
        record.path = candidate.path.string();
        record.relative_path = candidate.relative_path;
        record.dataset = root.name;
        record.external = root.external;
        record.name = *match.name;
        result.records.push_back(std::move(record));
    }
    const auto by_path = [](const auto& a, const auto& b) { return a.path < b.path; };
    std::sort(result.skipped.begin(), result.skipped.end(), by_path);
    std::sort(result.unreadable_folders.begin(), result.unreadable_folders.end(), by_path);
    return result;
}

}  // namespace uadscope::dataset
