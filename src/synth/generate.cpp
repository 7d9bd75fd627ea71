#include "synth/generate.h"

#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "core/random.h"
#include "synth/plan.h"
#include "synth/wav.h"

namespace uadscope::synth {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

enum class FileStatus { failed, written, unchanged };

struct FileResult {
    FileStatus status = FileStatus::failed;
    std::string fingerprint;
    Json truth;
};

bool same_bytes_on_disk(const fs::path& path, const std::string& bytes) {
    std::error_code error;
    if (!fs::is_regular_file(path, error)) {
        return false;
    }
    const auto size = fs::file_size(path, error);
    if (error || size != bytes.size()) {
        return false;
    }
    return read_file(path) == bytes;
}

// Record of an earlier run, read from its synth.json.
struct PreviousRun {
    std::vector<std::string> paths;
    // Entries by path, filled only when the earlier run used the same model version, seed
    // and clip length. Then a file's content depends on its path alone, so a file on disk
    // whose hash equals its recorded fingerprint is current without rendering it again.
    std::map<std::string, Json> reusable;
};

PreviousRun read_previous_run(const fs::path& folder, const SynthOptions& options) {
    const fs::path path = folder / kSynthJsonName;
    std::error_code error;
    if (!fs::exists(path, error)) {
        return {};
    }
    PreviousRun run;
    try {
        const Json previous = Json::parse(read_file(path));
        const bool same_recipe =
            previous.at("model_version") == kModelVersion && previous.at("seed") == options.seed &&
            previous.at("seconds") == options.seconds && previous.at("sample_rate") == kSampleRate;
        for (const auto& file : previous.at("files")) {
            const std::string relative = file.at("path").get<std::string>();
            run.paths.push_back(relative);
            if (same_recipe && file.at("fingerprint").is_string() && file.contains("truth")) {
                run.reusable[relative] = file;
            }
        }
    } catch (const std::exception& exception) {
        spdlog::warn(
            "synth: ignoring unreadable '{}' ({}); files of the earlier run that the "
            "current options no longer produce stay in place",
            path.string(), exception.what());
        return {};
    }
    return run;
}

std::size_t remove_stale_files(const fs::path& folder, const std::vector<std::string>& previous,
                               const std::set<std::string>& current) {
    std::size_t removed = 0;
    for (const std::string& relative : previous) {
        if (current.contains(relative)) {
            continue;
        }
        if (!is_synth_path(relative)) {
            spdlog::warn("synth: not removing '{}' listed in the old {}: not a demo-data name",
                         relative, kSynthJsonName);
            continue;
        }
        std::error_code error;
        if (fs::remove(folder / relative, error)) {
            ++removed;
        } else if (error) {
            spdlog::warn("synth: cannot remove stale file '{}': {}", (folder / relative).string(),
                         error.message());
        }
    }
    return removed;
}

// The earlier result for `file` when its bytes on disk still match the recorded fingerprint.
std::optional<FileResult> reuse_file(const PlannedFile& file, const PreviousRun& previous,
                                     const fs::path& folder) {
    const auto found = previous.reusable.find(file.relative_path);
    if (found == previous.reusable.end()) {
        return std::nullopt;
    }
    const fs::path path = folder / file.relative_path;
    std::error_code error;
    if (!fs::is_regular_file(path, error)) {
        return std::nullopt;
    }
    FileResult result;
    result.fingerprint = found->second.at("fingerprint").get<std::string>();
    if (Hasher().add(read_file(path)).hex() != result.fingerprint) {
        return std::nullopt;
    }
    result.status = FileStatus::unchanged;
    result.truth = found->second.at("truth");
    return result;
}

FileResult generate_file(const PlannedFile& file, std::size_t frames, const Rng& root,
                         const PreviousRun& previous, const fs::path& folder) {
    if (auto reused = reuse_file(file, previous, folder)) {
        return std::move(*reused);
    }
    ClipSpec spec = file.spec;
    spec.frames = frames;
    Clip clip = render_clip(spec, root.fork(file.stream));
    const std::vector<std::int16_t> pcm = quantize_pcm16(clip.samples);
    const std::string bytes = encode_wav_pcm16(pcm, kSampleRate);

    FileResult result;
    result.fingerprint = Hasher().add(bytes).hex();
    result.truth = std::move(clip.truth);
    const fs::path path = folder / file.relative_path;
    if (same_bytes_on_disk(path, bytes)) {
        result.status = FileStatus::unchanged;
    } else {
        write_file_atomic(path, bytes);
        result.status = FileStatus::written;
    }
    return result;
}

Json describe_sections(std::span<const Machine> machines) {
    Json sections = Json::object();
    for (const Machine machine : machines) {
        Json list = Json::array();
        for (int section = 0; section < kSectionCount; ++section) {
            list.push_back({{"section", section},
                            {"source", section_parameters(machine, section, Domain::source)},
                            {"target", section_parameters(machine, section, Domain::target)}});
        }
        Json kinds = Json::array();
        for (const Anomaly kind : anomaly_kinds(machine)) {
            kinds.push_back(to_string(kind));
        }
        sections[std::string(to_string(machine))] = {{"anomaly_kinds", kinds}, {"sections", list}};
    }
    return sections;
}

Json describe_file(const PlannedFile& file, const FileResult& result) {
    return {{"path", file.relative_path},
            {"machine", to_string(file.spec.machine)},
            {"section", file.spec.section},
            {"domain", to_string(file.spec.domain)},
            {"split", file.train ? "train" : "test"},
            {"label", file.anomaly_label ? "anomaly" : "normal"},
            {"index", file.index},
            {"anomaly", to_string(file.spec.anomaly)},
            {"stream", file.stream},
            {"fingerprint", result.fingerprint},
            {"truth", result.truth}};
}

}  // namespace

void validate_options(const SynthOptions& options) {
    if (options.output_dir.empty()) {
        throw Error("the output folder is missing; give DIR");
    }
    std::error_code error;
    if (fs::exists(options.output_dir, error) && !fs::is_directory(options.output_dir, error)) {
        throw Error("'" + options.output_dir.string() +
                    "' exists and is not a folder; give a folder path");
    }
    if (options.clips < 1 || options.clips > kMaxClips) {
        throw Error(
            fmt::format("--clips {} is out of range; use 1 to {}", options.clips, kMaxClips));
    }
    if (!std::isfinite(options.seconds) || options.seconds < kMinSeconds ||
        options.seconds > kMaxSeconds) {
        throw Error(fmt::format("--seconds {} is out of range; use {} to {}", options.seconds,
                                kMinSeconds, kMaxSeconds));
    }
    if (options.machines.empty()) {
        throw Error("no machine type selected; give --machines fan,pump,valve or a subset");
    }
    for (std::size_t i = 0; i < options.machines.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (options.machines[i] == options.machines[j]) {
                throw Error(fmt::format("machine type '{}' is listed twice in --machines",
                                        to_string(options.machines[i])));
            }
        }
    }
    if (options.jobs < 0) {
        throw Error(
            fmt::format("--jobs {} is negative; use 0 for one thread per core", options.jobs));
    }
}

SynthSummary generate_dataset(const SynthOptions& options) {
    validate_options(options);
    const fs::path& folder = options.output_dir;
    const SectionCounts counts = section_counts(options.clips);
    const std::vector<PlannedFile> files = plan_dataset(options.machines, counts);
    const auto frames = static_cast<std::size_t>(std::lround(options.seconds * kSampleRate));
    const int jobs = resolve_jobs(options.jobs);
    spdlog::info(
        "synth: {} files of {} s ({} machine types x {} sections) into '{}', seed {}, "
        "{} threads",
        files.size(), options.seconds, options.machines.size(), kSectionCount, folder.string(),
        options.seed, jobs);

    fs::create_directories(folder);
    const PreviousRun previous = read_previous_run(folder, options);
    for (const Machine machine : options.machines) {
        for (const char* split_folder : {"train", "source_test", "target_test"}) {
            remove_stale_temp_files(folder / std::string(to_string(machine)) / split_folder);
        }
    }

    const Rng root(options.seed);
    std::vector<FileResult> results(files.size());
    {
        Progress progress("synth", files.size());
        parallel_for(files.size(), jobs, [&](std::size_t i, int) {
            try {
                results[i] = generate_file(files[i], frames, root, previous, folder);
            } catch (const std::exception& exception) {
                spdlog::error("synth: cannot write '{}': {}",
                              (folder / files[i].relative_path).string(), exception.what());
                results[i].status = FileStatus::failed;
            }
            progress.advance();
        });
    }

    SynthSummary summary;
    summary.files = files.size();
    std::set<std::string> current;
    Json file_list = Json::array();
    Hasher dataset_hasher;
    for (std::size_t i = 0; i < files.size(); ++i) {
        current.insert(files[i].relative_path);
        switch (results[i].status) {
            case FileStatus::failed:
                ++summary.failed;
                continue;
            case FileStatus::written:
                ++summary.written;
                break;
            case FileStatus::unchanged:
                ++summary.unchanged;
                break;
        }
        dataset_hasher.add(files[i].relative_path).add(results[i].fingerprint);
        file_list.push_back(describe_file(files[i], results[i]));
    }
    summary.removed = remove_stale_files(folder, previous.paths, current);

    Json machines = Json::array();
    for (const Machine machine : options.machines) {
        machines.push_back(to_string(machine));
    }
    Json manifest;
    manifest["generator"] = "uadscope synth";
    manifest["model_version"] = kModelVersion;
    manifest["seed"] = options.seed;
    manifest["clips"] = options.clips;
    manifest["seconds"] = options.seconds;
    manifest["sample_rate"] = kSampleRate;
    manifest["sample_format"] = "16-bit PCM WAV, mono";
    manifest["naming"] =
        "DCASE 2021: <machine>/{train,source_test,target_test}/"
        "section_NN_{source,target}_{train,test}_{normal,anomaly}_NNNN_<attributes>.wav, "
        "attributes packed into one token";
    manifest["counts_per_section"] = {{"source_train", counts.source_train},
                                      {"target_train", counts.target_train},
                                      {"source_test_normal", counts.test_per_label},
                                      {"source_test_anomaly", counts.test_per_label},
                                      {"target_test_normal", counts.test_per_label},
                                      {"target_test_anomaly", counts.test_per_label}};
    manifest["machines"] = machines;
    manifest["parameters"] = describe_sections(options.machines);
    manifest["fingerprint"] = dataset_hasher.hex();
    manifest["files"] = std::move(file_list);

    const std::string text = manifest.dump(2) + "\n";
    const fs::path manifest_path = folder / kSynthJsonName;
    if (!same_bytes_on_disk(manifest_path, text)) {
        write_file_atomic(manifest_path, text);
        summary.manifest_written = true;
    }

    spdlog::info("synth: {} files: {} written, {} unchanged, {} failed; {} stale files removed",
                 summary.files, summary.written, summary.unchanged, summary.failed,
                 summary.removed);
    return summary;
}

}  // namespace uadscope::synth
