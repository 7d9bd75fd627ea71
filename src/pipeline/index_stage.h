#pragma once

// The `index` stage: scans dataset folders, names every audio file with a naming scheme,
// reads each audio header and writes WORK/manifest.csv and WORK/skipped.csv.

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "dataset/record.h"
#include "dataset/scan.h"

namespace uadscope::pipeline {

struct IndexOptions {
    std::filesystem::path workspace;
    std::vector<std::string> datasets;   // "DIR" or "NAME=DIR"
    std::vector<std::string> externals;  // "NAME=DIR"
    std::string schemes = "auto";        // comma-separated scheme names, or "auto"
    int jobs = 0;                        // header-reading threads; 0: all cores
};

struct IndexResult {
    std::vector<dataset::FileRecord> records;
    std::vector<dataset::SkippedFile> skipped;
    std::size_t unreadable = 0;          // records whose audio header could not be read
    std::size_t unreadable_folders = 0;  // folders that could not be listed (in skipped)
    std::size_t reused_headers = 0;      // headers taken from the previous manifest
    bool manifest_changed = false;       // false when manifest.csv already had this content
    std::string summary;                 // dataset::format_index_summary text

    // ok, or partial when some audio headers or folders could not be read.
    ExitCode exit_code() const {
        return unreadable > 0 || unreadable_folders > 0 ? ExitCode::partial : ExitCode::ok;
    }
};

// Runs the stage. A file whose header cannot be read stays in the manifest with empty
// audio fields and status "unreadable: <reason>". Headers of files whose path and
// file_stamp are unchanged since the previous manifest are reused without opening them.
// A folder that cannot be listed is reported in skipped.csv and makes the result partial.
// Throws UsageError for bad arguments and Error when no audio file matched any scheme or a
// dataset folder without indexed files cannot be read.
IndexResult run_index(const IndexOptions& options);

}  // namespace uadscope::pipeline
