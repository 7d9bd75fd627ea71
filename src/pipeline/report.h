#pragma once

// `uadscope report`: WORK/report.html, an index of a workspace that opens from disk.

#include <filesystem>

namespace uadscope::pipeline {

struct ReportResult {
    std::filesystem::path path;
    bool written = false;  // false when the existing report already had the same content
    int maps = 0;
    int plots = 0;
    int metric_files = 0;
};

// Writes WORK/report.html from what the workspace contains: the manifest summary, the
// feature files, every map with its parameters, quality figures and plot thumbnails, and
// the metrics and evaluation tables of any scoring run. Links are relative, so the folder
// can be moved or archived. Throws Error when WORK has no manifest.csv.
ReportResult write_report(const std::filesystem::path& work);

}  // namespace uadscope::pipeline
