#include "pipeline/features_stage.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/atomic_file.h"
#include "core/hash.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "dataset/manifest.h"
#include "pipeline/feature_file.h"
#include "pipeline/feature_parts.h"
#include "pipeline/workspace.h"

namespace uadscope::pipeline {

namespace fs = std::filesystem;

namespace {

// One computed representation that this run has to write.
struct PendingRep {
    std::string rep;
    std::string fingerprint;
    fs::path parts;  // WORK/features/.parts/<rep>-<fingerprint>
    std::int64_t dims = 0;
    bool is_mel = false;
};

std::int64_t rep_dims(const std::string& rep, const features::SpectrogramOptions& spectrogram) {
    return rep == rep_log_mel ? spectrogram.n_mels : spectrogram.n_fft / 2 + 1;
}

std::vector<std::string> unique_reps(const std::vector<std::string>& reps) {
    std::vector<std::string> result;
    for (const std::string& rep : reps) {
        validate_rep_name(rep);
        if (std::find(result.begin(), result.end(), rep) == result.end()) {
            result.push_back(rep);
        }
    }
    if (result.empty()) {
        throw UsageError("no representation given: use --rep log_stft,log_mel");
    }
    return result;
}

// True when `path` contains a complete feature file with this fingerprint.
bool is_up_to_date(const fs::path& path, const std::string& fingerprint) {
    if (!fs::exists(path)) {
        return false;
    }
    try {
        const FeatureFile file = FeatureFile::open(path);
        return file.attribute("fingerprint") == fingerprint;
    } catch (const Error& error) {
        spdlog::warn("{} is replaced: {}", path.string(), error.what());
        return false;
    }
}

// Failed files by file_id, with the first reason seen.
using FailureMap = std::map<std::int64_t, std::string>;

void collect_failures(const FeatureFile& file, FailureMap& failures) {
    for (std::int64_t i = 0; i < file.file_count(); ++i) {
        if (file.file_status()[i] != "ok") {
            failures.emplace(i, file.file_status()[i]);
        }
    }
}

void list_failures(const FailureMap& failures, const dataset::Manifest& manifest,
                   FeaturesResult& result) {
    for (const auto& [file_id, reason] : failures) {
        result.failures.emplace_back(manifest.records[file_id].path, reason);
    }
}

void set_parameter_attributes(store::H5File& file, const PendingRep& pending,
                              const FeaturesOptions& options, const std::string& manifest_fp) {
    const auto& spectrogram = options.spectrogram;
    file.set_attribute("rep", pending.rep);
    file.set_attribute("source", "computed");
    file.set_attribute("sample_rate", options.load.sample_rate);
    file.set_attribute("norm", std::string(audio::to_string(options.load.normalization)));
    file.set_attribute("remove_mean", options.load.remove_mean ? 1 : 0);
    file.set_attribute("n_fft", spectrogram.n_fft);
    file.set_attribute("hop_length", spectrogram.hop_length);
    file.set_attribute("window", "hann (periodic)");
    file.set_attribute("center", "true (zero padding)");
    file.set_attribute("hop_seconds",
                       static_cast<double>(spectrogram.hop_length) / options.load.sample_rate);
    if (pending.is_mel) {
        file.set_attribute("n_mels", spectrogram.n_mels);
        file.set_attribute("fmin", spectrogram.fmin);
        file.set_attribute("fmax", spectrogram.fmax);
        file.set_attribute("mel_scale", "slaney, slaney area normalisation");
    }
    file.set_attribute("db", std::string(features::to_string(spectrogram.db)));
    if (spectrogram.db == features::DbScale::librosa) {
        file.set_attribute("ref", spectrogram.ref);
        file.set_attribute("amin", spectrogram.amin);
        file.set_attribute("top_db", spectrogram.top_db);
    }
    file.set_attribute("fingerprint", pending.fingerprint);
    file.set_attribute("manifest_fingerprint", manifest_fp);
    file.set_attribute("version", options.tool_version);
}

// Writes the feature file of `pending` from its parts; failed files get zero frames.
std::size_t assemble(const PendingRep& pending, const FeaturesOptions& options,
                     const dataset::Manifest& manifest, const std::vector<std::string>& status,
                     const fs::path& final_path) {
    FeatureFileWriter writer(final_path, pending.dims);
    std::size_t failed = 0;
    for (const dataset::FileRecord& record : manifest.records) {
        const auto i = static_cast<std::size_t>(record.file_id);
        if (status[i] != "ok") {
            writer.append_file(static_cast<std::int32_t>(record.file_id), record.relative_path,
                               status[i], {}, {});
            ++failed;
            continue;
        }
        const auto part = read_part(part_path(pending.parts, record.file_id), record.file_id,
                                    record.file_stamp, pending.dims);
        if (!part) {
            throw Error(
                fmt::format("part file of '{}' disappeared or changed while {} was "
                            "assembled; run uadscope features again",
                            record.path, final_path.string()));
        }
        writer.append_file(static_cast<std::int32_t>(record.file_id), record.relative_path, "ok",
                           part->rows.values, part->energy);
    }
    set_parameter_attributes(writer.file(), pending, options, manifest.fingerprint);
    const std::int64_t frames = writer.frames();
    writer.commit();
    spdlog::info("features: wrote {} ({} files, {} frames x {} dims, {} failed)",
                 final_path.string(), manifest.size(), frames, pending.dims, failed);
    return failed;
}

// Removes the parts of every fingerprint of `rep`, including those of earlier parameters.
void remove_parts(const fs::path& parts_root, const std::string& rep) {
    std::error_code error;
    if (!fs::is_directory(parts_root, error)) {
        return;
    }
    const std::string prefix = rep + "-";
    for (const auto& entry : fs::directory_iterator(parts_root, error)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with(prefix) && name.size() == prefix.size() + 16) {
            fs::remove_all(entry.path(), error);
        }
    }
    if (fs::is_empty(parts_root, error)) {
        fs::remove(parts_root, error);
    }
}

}  // namespace

std::string features_fingerprint(const std::string& rep, const FeaturesOptions& options,
                                 const std::string& manifest_fingerprint) {
    const auto& spectrogram = options.spectrogram;
    Hasher hasher;
    hasher.add(std::string_view("uadscope features"))
        .add(feature_format_version)
        .add(std::string_view(rep))
        .add(std::string_view(manifest_fingerprint))
        .add(static_cast<std::int64_t>(options.load.sample_rate))
        .add(std::string_view(audio::to_string(options.load.normalization)))
        .add(static_cast<std::int64_t>(options.load.remove_mean))
        .add(static_cast<std::int64_t>(spectrogram.n_fft))
        .add(static_cast<std::int64_t>(spectrogram.hop_length))
        .add(std::string_view(features::to_string(spectrogram.db)));
    if (spectrogram.db == features::DbScale::librosa) {
        hasher.add(spectrogram.ref).add(spectrogram.amin).add(spectrogram.top_db);
    }
    if (rep == rep_log_mel) {
        hasher.add(static_cast<std::int64_t>(spectrogram.n_mels))
            .add(spectrogram.fmin)
            .add(spectrogram.fmax);
    }
    return hasher.hex();
}

namespace {

// Finds the pid of the process that holds a flock on the file behind `descriptor` in
// /proc/locks (Linux), or returns "unknown". Its lines read "1: FLOCK ADVISORY WRITE <pid>
// <major>:<minor>:<inode> 0 EOF", with the device numbers in hex.
std::string flock_holder(int descriptor) {
    struct stat status {};
    if (::fstat(descriptor, &status) != 0) {
        return "unknown";
    }
    const std::string device =
        fmt::format("{:02x}:{:02x}:{}", major(status.st_dev), minor(status.st_dev), status.st_ino);
    std::ifstream locks("/proc/locks");
    std::string line;
    while (std::getline(locks, line)) {
        std::istringstream fields(line);
        std::string id;
        std::string kind;
        std::string mode;
        std::string access;
        std::string pid;
        std::string file;
        fields >> id >> kind;
        if (kind == "->") {
            continue;  // a process waiting for the lock, not holding it
        }
        fields >> mode >> access >> pid >> file;
        if (kind == "FLOCK" && file == device) {
            return pid;
        }
    }
    return "unknown";
}

// An exclusive flock on WORK/.lock, held while the object lives, so that a second features
// run on the same workspace fails at once instead of computing into the same part files.
// The kernel releases the lock when the process ends, so a killed run leaves no stale lock.
// Nothing is written into the file, so that a run which changes nothing leaves every file
// of the workspace untouched.
class WorkspaceLock {
  public:
    explicit WorkspaceLock(const fs::path& work) {
        const fs::path path = work / ".lock";
        descriptor_ = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
        if (descriptor_ < 0) {
            throw Error(
                fmt::format("cannot open the lock file '{}': {}; check the permissions "
                            "of the workspace",
                            path.string(), std::strerror(errno)));
        }
        if (::flock(descriptor_, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            const std::string holder = error == EWOULDBLOCK ? flock_holder(descriptor_) : "";
            ::close(descriptor_);
            if (error == EWOULDBLOCK) {
                throw Error(fmt::format(
                    "another uadscope run is working on {} (pid {}); wait for it to finish",
                    work.string(), holder));
            }
            throw Error(fmt::format("cannot lock '{}': {}", path.string(), std::strerror(error)));
        }
    }
    ~WorkspaceLock() { ::close(descriptor_); }
    WorkspaceLock(const WorkspaceLock&) = delete;
    WorkspaceLock& operator=(const WorkspaceLock&) = delete;

  private:
    int descriptor_ = -1;
};

}  // namespace

FeaturesResult run_features(const FeaturesOptions& requested) {
    FeaturesOptions options = requested;
    options.spectrogram.sample_rate = options.load.sample_rate;
    try {
        options.load.validate();
        options.spectrogram.validate();
    } catch (const UsageError&) {
        throw;
    } catch (const Error& error) {
        throw UsageError(error.what());
    }
    const std::vector<std::string> reps = unique_reps(options.reps);

    const Workspace workspace(options.workspace);
    const dataset::Manifest manifest = dataset::read_manifest(workspace.manifest());
    const WorkspaceLock lock(workspace.root());
    // Temporary feature files of a run killed while assembling.
    remove_stale_temp_files(workspace.features_folder());
    FeaturesResult result;
    result.files = manifest.size();
    FailureMap failures;

    // Imported embeddings are only checked; computed representations are compared with the
    // fingerprint of their current file.
    std::vector<PendingRep> pending;
    for (const std::string& rep : reps) {
        const fs::path path = workspace.features(rep);
        if (!is_computed_rep(rep)) {
            if (!fs::exists(path)) {
                throw UsageError(
                    fmt::format("unknown representation '{}': log_stft and log_mel "
                                "are computed, other names must be imported first "
                                "with `uadscope import {} --name {} ...`",
                                rep, workspace.root().string(), rep));
            }
            const FeatureFile file = open_workspace_features(workspace.root(), rep, manifest);
            spdlog::info("features: {} is an imported representation and matches the manifest",
                         rep);
            collect_failures(file, failures);
            result.up_to_date.push_back(rep);
            continue;
        }
        PendingRep item;
        item.rep = rep;
        item.fingerprint = features_fingerprint(rep, options, manifest.fingerprint);
        item.dims = rep_dims(rep, options.spectrogram);
        item.is_mel = rep == rep_log_mel;
        item.parts = workspace.parts_folder() / (rep + "-" + item.fingerprint);
        if (is_up_to_date(path, item.fingerprint)) {
            spdlog::info("features: {} is up to date (same manifest and parameters)",
                         path.string());
            collect_failures(FeatureFile::open(path), failures);
            result.up_to_date.push_back(rep);
            continue;
        }
        pending.push_back(std::move(item));
    }
    if (pending.empty()) {
        list_failures(failures, manifest, result);
        return result;
    }

    // Which files still need which representation; parts of an interrupted run are kept.
    const std::size_t files = manifest.size();
    std::vector<std::string> status(files, "ok");
    std::vector<std::vector<char>> needed(pending.size(), std::vector<char>(files, 0));
    std::vector<std::size_t> todo;
    for (const PendingRep& item : pending) {
        fs::create_directories(item.parts);
        remove_stale_temp_files(item.parts);
    }
    for (std::size_t i = 0; i < files; ++i) {
        const dataset::FileRecord& record = manifest.records[i];
        if (!record.readable()) {
            status[i] = record.status;
            continue;
        }
        bool any = false;
        for (std::size_t r = 0; r < pending.size(); ++r) {
            needed[r][i] = !part_is_complete(part_path(pending[r].parts, record.file_id),
                                             record.file_id, record.file_stamp, pending[r].dims);
            any = any || needed[r][i];
        }
        if (any) {
            todo.push_back(i);
        } else {
            ++result.reused;
        }
    }

    std::string rep_names;
    for (const PendingRep& item : pending) {
        rep_names += (rep_names.empty() ? "" : ", ") + item.rep;
    }
    const int jobs = resolve_jobs(options.jobs);
    spdlog::info("features: computing {} for {} of {} files, reused {} files (jobs {})", rep_names,
                 todo.size(), files, result.reused, jobs);

    // Decode each file once and write a part per representation.
    std::vector<std::unique_ptr<features::FeatureExtractor>> extractors(
        static_cast<std::size_t>(jobs));
    std::size_t changed_since_index = 0;
    std::vector<char> changed(files, 0);
    {
        Progress progress("features", todo.size());
        parallel_for(todo.size(), jobs, [&](std::size_t t, int worker) {
            const std::size_t i = todo[t];
            const dataset::FileRecord& record = manifest.records[i];
            auto& extractor = extractors[static_cast<std::size_t>(worker)];
            if (!extractor) {
                extractor = std::make_unique<features::FeatureExtractor>(options.spectrogram);
            }
            try {
                if (file_stamp(record.path) != record.file_stamp) {
                    changed[i] = 1;
                }
                const std::vector<float> samples = audio::load_audio(record.path, options.load);
                bool want_stft = false;
                bool want_mel = false;
                for (std::size_t r = 0; r < pending.size(); ++r) {
                    if (needed[r][i]) {
                        (pending[r].is_mel ? want_mel : want_stft) = true;
                    }
                }
                features::FileFeatures computed = extractor->compute(samples, want_stft, want_mel);
                for (std::size_t r = 0; r < pending.size(); ++r) {
                    if (!needed[r][i]) {
                        continue;
                    }
                    FeaturePart part;
                    part.file_id = record.file_id;
                    part.file_stamp = record.file_stamp;
                    part.rows = pending[r].is_mel ? std::move(computed.log_mel)
                                                  : std::move(computed.log_stft);
                    part.energy = computed.energy;
                    write_part(part_path(pending[r].parts, record.file_id), part);
                }
            } catch (const Error& error) {
                status[i] = std::string("failed: ") + error.what();
            }
            progress.advance();
        });
        progress.finish();
    }
    result.computed = todo.size();
    for (const char flag : changed) {
        changed_since_index += static_cast<std::size_t>(flag);
    }
    if (changed_since_index > 0) {
        spdlog::warn(
            "features: {} audio files changed since they were indexed; run uadscope "
            "index again to refresh the manifest",
            changed_since_index);
    }

    for (const PendingRep& item : pending) {
        assemble(item, options, manifest, status, workspace.features(item.rep));
        remove_parts(workspace.parts_folder(), item.rep);
        result.written.push_back(item.rep);
    }
    for (std::size_t i = 0; i < files; ++i) {
        if (status[i] != "ok") {
            failures.emplace(static_cast<std::int64_t>(i), status[i]);
        }
    }
    list_failures(failures, manifest, result);
    return result;
}

}  // namespace uadscope::pipeline
