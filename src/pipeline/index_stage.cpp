#include "pipeline/index_stage.h"

#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "audio/audio.h"
#include "core/atomic_file.h"
#include "core/hash.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "dataset/csv.h"
#include "dataset/manifest.h"
#include "dataset/naming.h"
#include "dataset/summary.h"
#include "pipeline/workspace.h"

namespace uadscope::pipeline {

namespace fs = std::filesystem;

namespace {

// Audio fields of the previous manifest by path, for files whose stamp did not change.
std::map<std::string, dataset::FileRecord> previous_headers(const fs::path& manifest_file) {
    std::map<std::string, dataset::FileRecord> headers;
    if (!fs::exists(manifest_file)) {
        return headers;
    }
    try {
        for (auto& record : dataset::read_manifest(manifest_file).records) {
            if (record.readable() && !record.file_stamp.empty()) {
                headers.emplace(record.path, std::move(record));
            }
        }
    } catch (const Error& error) {
        spdlog::warn("previous manifest not reused, every header is read again: {}", error.what());
    }
    return headers;
}

void read_headers(std::vector<dataset::FileRecord>& records,
                  const std::map<std::string, dataset::FileRecord>& previous, int jobs,
                  IndexResult& result) {
    std::vector<char> reused(records.size(), 0);
    Progress progress("reading audio headers", records.size());
    parallel_for(records.size(), jobs, [&](std::size_t i, int) {
        dataset::FileRecord& record = records[i];
        try {
            record.file_stamp = file_stamp(record.path);
        } catch (const Error& error) {
            record.status = std::string("unreadable: ") + error.what();
            progress.advance();
            return;
        }
        const auto found = previous.find(record.path);
        if (found != previous.end() && found->second.file_stamp == record.file_stamp) {
            record.sample_rate = found->second.sample_rate;
            record.channels = found->second.channels;
            record.frames = found->second.frames;
            record.format = found->second.format;
            reused[i] = 1;
            progress.advance();
            return;
        }
        try {
            const audio::AudioInfo info = audio::probe_audio(record.path);
            record.sample_rate = info.sample_rate;
            record.channels = info.channels;
            record.frames = info.frames;
            record.format = info.format;
        } catch (const Error& error) {
            record.status = std::string("unreadable: ") + error.what();
        }
        progress.advance();
    });
    progress.finish();
    for (std::size_t i = 0; i < records.size(); ++i) {
        result.reused_headers += static_cast<std::size_t>(reused[i]);
        if (!records[i].readable()) {
            ++result.unreadable;
            spdlog::warn("{}: {}", records[i].path, records[i].status);
        }
    }
}

std::string format_skipped(const std::vector<dataset::SkippedFile>& skipped) {
    std::string text;
    dataset::append_csv_row(text, {"path", "reason"});
    for (const auto& file : skipped) {
        dataset::append_csv_row(text, {file.path, file.reason});
    }
    return text;
}

}  // namespace

IndexResult run_index(const IndexOptions& options) {
    if (options.datasets.empty() && options.externals.empty()) {
        throw UsageError("no dataset folder given: pass at least one DATASET or --external");
    }
    const std::vector<dataset::Scheme> schemes = dataset::parse_scheme_list(options.schemes);
    std::vector<dataset::DatasetRoot> roots;
    for (const std::string& argument : options.datasets) {
        roots.push_back(dataset::parse_dataset_root(argument, false));
    }
    for (const std::string& argument : options.externals) {
        roots.push_back(dataset::parse_dataset_root(argument, true));
    }
    const Workspace workspace(options.workspace);

    spdlog::info("index: scanning {} dataset folder(s)", roots.size());
    dataset::ScanResult scan = dataset::scan_datasets(roots, schemes);
    for (const dataset::SkippedFile& folder : scan.unreadable_folders) {
        spdlog::warn("{}: {}", folder.path, folder.reason);
    }
    if (scan.records.empty()) {
        for (const dataset::DatasetRoot& root : roots) {
            for (const dataset::SkippedFile& folder : scan.unreadable_folders) {
                if (folder.path == root.folder.string()) {
                    throw Error(
                        fmt::format("dataset folder '{}' cannot be read: {}; check its permissions",
                                    folder.path, folder.reason));
                }
            }
        }
        std::string message = "no audio file matched a naming scheme";
        if (!scan.skipped.empty()) {
            message += fmt::format(" ({} skipped, e.g. '{}': {})", scan.skipped.size(),
                                   scan.skipped.front().path, scan.skipped.front().reason);
        }
        throw Error(message + "; check the folders, --scheme, or use --external NAME=DIR");
    }

    IndexResult result;
    const auto previous = previous_headers(workspace.manifest());
    read_headers(scan.records, previous, resolve_jobs(options.jobs), result);

    const std::string text = dataset::format_manifest(scan.records);
    result.manifest_changed = write_file_if_changed(workspace.manifest(), text);
    write_file_if_changed(workspace.skipped(), format_skipped(scan.skipped));
    spdlog::info("index: {} {} ({} files, {} headers reused)",
                 result.manifest_changed ? "wrote" : "unchanged", workspace.manifest().string(),
                 scan.records.size(), result.reused_headers);

    result.summary = dataset::format_index_summary(scan.records, scan.skipped);
    result.records = std::move(scan.records);
    result.skipped = std::move(scan.skipped);
    result.unreadable_folders = scan.unreadable_folders.size();
    return result;
}

}  // namespace uadscope::pipeline
