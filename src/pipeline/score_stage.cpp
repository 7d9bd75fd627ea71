#include "pipeline/score_stage.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "analysis/dcase_metrics.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/parallel.h"
#include "dataset/manifest.h"
#include "pipeline/feature_file.h"
#include "pipeline/score_detectors.h"
#include "pipeline/score_metrics.h"
#include "pipeline/score_vectors.h"
#include "pipeline/workspace.h"
#include "plot/score_plot.h"
#include "plot/workspace_plots.h"
#include "store/map_file.h"

namespace uadscope::pipeline {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// Version of the score stage's outputs; bump it to recompute outputs of older code.
constexpr std::int64_t score_format_version = 2;

// Scores above this quantile of a plot's scores share the top colour, so that a few extreme
// values (LOF of near-duplicates reaches 1e9) do not flatten the colour scale.
constexpr double plot_clip_quantile = 0.99;

ScoreSpace parse_score_space(const std::string& text) {
    if (text == "original") {
        return ScoreSpace::original;
    }
    if (text == "map") {
        return ScoreSpace::map;
    }
    if (text == "both") {
        return ScoreSpace::both;
    }
    throw UsageError("invalid space '" + text + "': use original, map or both");
}

OriginalVectors parse_original_vectors(const std::string& text) {
    if (text == "all") {
        return OriginalVectors::all;
    }
    if (text == "sample") {
        return OriginalVectors::sample;
    }
    throw UsageError("invalid original-space vectors '" + text + "': use all or sample");
}

void ScoreStageOptions::validate() const {
    if (!rep.empty() && !maps.empty()) {
        throw UsageError(
            "give either --map or --rep, not both: --rep scores a representation "
            "without a map");
    }
    if (!rep.empty()) {
        validate_rep_name(rep);
        if (stack < 1 || stack > 64) {
            throw UsageError(fmt::format("stack {} is out of range: use 1 to 64 frames", stack));
        }
        if (space && *space != ScoreSpace::original) {
            throw UsageError("--space map and both need a map: give --map NAME instead of --rep");
        }
        if (original_vectors == OriginalVectors::sample) {
            throw UsageError("--original-vectors sample uses a map's sample: give --map NAME");
        }
    }
    if (k < 1) {
        throw UsageError(
            fmt::format("invalid k {}: use k >= 1 (default {})", k, analysis::default_detector_k));
    }
    if (stride < 1) {
        throw UsageError(fmt::format("invalid stride {}: use 1 (every vector) or more", stride));
    }
    if (!(threshold_quantile >= 0.0 && threshold_quantile <= 1.0)) {
        throw UsageError(fmt::format("invalid threshold quantile {}: use a value in [0, 1]",
                                     threshold_quantile));
    }
    if (edition != "auto") {
        try {
            analysis::parse_dcase_edition(edition);
        } catch (const Error& error) {
            throw UsageError(error.what());
        }
    }
    try {
        sep.validate();
        analysis::SupportOptions support;
        support.k = dsup_k;
        support.coverage_quantile = coverage_quantile;
        support.validate();
    } catch (const UsageError&) {
        throw;
    } catch (const Error& error) {
        throw UsageError(error.what());
    }
}

int ScoreStageResult::exit_code() const {
    return static_cast<int>(failures > 0 ? ExitCode::partial : ExitCode::ok);
}

bool has_labelled_test_files(const dataset::Manifest& manifest) {
    return std::any_of(manifest.records.begin(), manifest.records.end(), [](const auto& record) {
        return !record.external && record.name.split == dataset::Split::test &&
               record.name.label != dataset::Label::unknown;
    });
}

std::string detector_label(const ScoreStageOptions& options) {
    std::string label(analysis::to_string(options.detector));
    if (options.k != analysis::default_detector_k) {
        label += fmt::format("-k{}", options.k);
    }
    if (options.aggregate != analysis::FileAggregate::mean) {
        label += "-" + std::string(analysis::to_string(options.aggregate));
    }
    if (options.per_domain) {
        label += "-domain";
    }
    return label;
}

namespace {

// The subject of one pass: a map, or a representation without a map.
struct Target {
    std::string map_name;  // empty without a map
    fs::path map_path;
    std::optional<store::MapData> map;
    std::string rep;
    int stack = 1;
    std::string scope;                   // the map's scope name
    std::set<std::string> devices;       // DeviceNames of the map's points
    std::set<std::string> device_types;  // device names of the map's points, without scheme
    std::vector<std::int32_t> files;     // the map's files, sorted
};

Target load_target(const fs::path& work, const std::string& name,
                   const dataset::Manifest& manifest) {
    Target target;
    target.map_name = name.ends_with(".h5") ? name.substr(0, name.size() - 3) : name;
    if (target.map_name.empty() || target.map_name.find('/') != std::string::npos ||
        target.map_name.find('\\') != std::string::npos || target.map_name.starts_with(".")) {
        throw UsageError(fmt::format(
            "invalid map name '{}': give a file name under WORK/maps, without folders", name));
    }
    target.map_path = work / "maps" / (target.map_name + ".h5");
    if (!fs::exists(target.map_path)) {
        throw Error(
            fmt::format("map '{}' not found at '{}': run `uadscope map WORK` or pick a "
                        "name from WORK/maps",
                        target.map_name, target.map_path.string()));
    }
    target.map = store::read_map(target.map_path);
    store::check_map_manifest(target.map_path, target.map->text, manifest.fingerprint);
    for (std::size_t point = 0; point < target.map->file_id.size(); ++point) {
        const std::int32_t file = target.map->file_id[point];
        if (file < 0 || static_cast<std::size_t>(file) >= manifest.size()) {
            throw Error(fmt::format(
                "map '{}': point {} refers to file {}, but the manifest has {} rows; the map "
                "was made from another manifest.csv, so run uadscope map WORK again",
                target.map_path.string(), point, file, manifest.size()));
        }
    }
    const auto rep = target.map->text.find("rep");
    if (rep == target.map->text.end() || rep->second.empty()) {
        throw Error(fmt::format("map '{}' has no rep attribute; rerun `uadscope map`",
                                target.map_path.string()));
    }
    target.rep = rep->second;
    const auto stack = target.map->numbers.find("stack");
    target.stack = stack == target.map->numbers.end() ? 1 : static_cast<int>(stack->second);
    const auto scope = target.map->text.find("scope");
    target.scope = scope == target.map->text.end() ? "map" : scope->second;
    std::set<std::int32_t> files(target.map->file_id.begin(), target.map->file_id.end());
    target.files.assign(files.begin(), files.end());
    return target;
}

std::vector<std::string> all_map_names(const fs::path& work) {
    std::vector<std::string> names;
    std::error_code error;
    if (fs::is_directory(work / "maps", error)) {
        for (const auto& entry : fs::directory_iterator(work / "maps")) {
            if (entry.is_regular_file() && entry.path().extension() == ".h5") {
                names.push_back(entry.path().stem().string());
            }
        }
    }
    std::sort(names.begin(), names.end());
    if (names.empty()) {
        throw Error(
            fmt::format("no maps in '{}': run `uadscope map WORK` first, or score a "
                        "representation without a map with --rep and --stack",
                        (work / "maps").string()));
    }
    return names;
}

Json read_json_object(const fs::path& path) {
    std::error_code error;
    if (!fs::exists(path, error)) {
        return Json::object();
    }
    try {
        Json document = Json::parse(read_file(path));
        if (document.is_object()) {
            return document;
        }
    } catch (const std::exception& parse_error) {
        spdlog::warn("{} is unreadable and will be rewritten: {}", path.string(),
                     parse_error.what());
    }
    return Json::object();
}

// Everything a detector pass over one space of one target needs and produces.
struct DetectorPass {
    std::string name;
    std::string space_kind;  // "original" or "map"
    fs::path folder;
    std::unique_ptr<VectorSource> source;
    std::string source_stamp;
    std::vector<ScoreSection> sections;
};

std::string space_label(const Target& target, ScoreSpace space, const ScoreStageOptions& options) {
    if (space == ScoreSpace::map) {
        return "map-" + target.scope;
    }
    if (options.original_vectors == OriginalVectors::sample) {
        return "original-" + target.scope;
    }
    return options.stride == 1 ? "original" : fmt::format("original-stride{}", options.stride);
}

std::string section_key(const ScoreSection& section) {
    return fmt::format("{}/{:02d}", section.device, section.section);
}

// The map's point of each (file, frame), for colouring points by all-frame vector scores.
std::unordered_map<std::int64_t, std::int64_t> points_by_frame(const store::MapData& map) {
    std::unordered_map<std::int64_t, std::int64_t> points;
    for (std::int64_t point = 0; point < map.points; ++point) {
        const auto p = static_cast<std::size_t>(point);
        points[(static_cast<std::int64_t>(map.file_id[p]) << 32) | map.frame[p]] = point;
    }
    return points;
}

std::string detector_title(const ScoreStageOptions& options, const std::string& space_kind) {
    const std::string name =
        options.detector == analysis::DetectorKind::knn ? "kNN distance" : "LOF";
    return fmt::format("{} (k = {}{}) {}", name, options.k,
                       options.per_domain ? ", per domain" : "",
                       space_kind == "map" ? "on the map" : "in the original space");
}

void write_plot(const Target& target, const dataset::Manifest& manifest,
                const std::vector<VectorScore>& vector_scores, const ScoreStageOptions& options,
                const std::string& space_kind, const fs::path& output) {
    const store::MapData& map = *target.map;
    std::vector<float> scores(static_cast<std::size_t>(map.points),
                              std::numeric_limits<float>::quiet_NaN());
    const auto by_frame = points_by_frame(map);
    for (const VectorScore& vector : vector_scores) {
        std::int64_t point = vector.point;
        if (point < 0) {
            const auto found =
                by_frame.find((static_cast<std::int64_t>(vector.file) << 32) | vector.frame);
            if (found == by_frame.end()) {
                continue;
            }
            point = found->second;
        }
        scores[static_cast<std::size_t>(point)] = vector.score;
    }
    std::vector<double> finite;
    for (const float score : scores) {
        if (std::isfinite(score)) {
            finite.push_back(score);
        }
    }
    if (!finite.empty()) {
        const auto top = static_cast<float>(analysis::linear_quantile(finite, plot_clip_quantile));
        for (float& score : scores) {
            if (std::isfinite(score)) {
                score = std::min(score, top);
            }
        }
    }
    plot::PlotInput input = plot::load_plot_input(target.map_path, manifest, std::nullopt);
    plot::ScorePlotSpec spec;
    spec.title = detector_title(options, space_kind);
    spec.score_name =
        fmt::format("{} (clipped at p{})",
                    options.detector == analysis::DetectorKind::knn ? "kNN distance" : "LOF",
                    static_cast<int>(plot_clip_quantile * 100));
    plot::PlotOptions plot_options;
    plot_options.seed = options.seed;
    plot_options.threads = options.jobs;
    plot::write_score_plot(input, scores, spec, plot_options, output);
}

// Rows of the metrics document for one detector pass.
struct DetectorRows {
    Json detectors = Json::array();
    Json official = Json::array();
    Json duplicates = Json::array();
    std::set<std::string> recomputed_sections;  // "<scores name> device/NN"
};

Json detector_fields(const std::string& name, const ScoreStageOptions& options,
                     const std::string& space_kind) {
    return Json{{"scores", name},
                {"detector", std::string(analysis::to_string(options.detector))},
                {"k", options.k},
                {"aggregate", std::string(analysis::to_string(options.aggregate))},
                {"per_domain", options.per_domain},
                {"space", space_kind}};
}

Json metric_value(const analysis::Metric& metric) {
    return metric.value ? Json(*metric.value) : Json(nullptr);
}

void add_evaluation_rows(const analysis::DcaseResult& result, const std::string& name,
                         const ScoreStageOptions& options, const std::string& space_kind,
                         const std::set<std::string>& devices, DetectorRows& rows) {
    for (const auto& machine : result.machines) {
        if (!devices.empty() && !devices.contains(machine.machine)) {
            continue;
        }
        for (const auto& section : machine.sections) {
            for (const auto& domain : section.domains) {
                Json row = detector_fields(name, options, space_kind);
                row["device"] = machine.machine;
                row["section"] = section.section;
                row["domain"] = std::string(analysis::domain_name(domain.domain));
                row["auc"] = metric_value(domain.metrics[0]);
                row["pauc"] = metric_value(domain.metrics[1]);
                row["precision"] = metric_value(domain.metrics[2]);
                row["recall"] = metric_value(domain.metrics[3]);
                row["f1"] = metric_value(domain.metrics[4]);
                row["normal_files"] = domain.normals;
                row["anomaly_files"] = domain.anomalies;
                rows.detectors.push_back(std::move(row));
            }
        }
    }
    Json official = detector_fields(name, options, space_kind);
    official["edition"] = std::string(analysis::dcase_edition_name(result.edition));
    official["official_score"] = metric_value(result.official_score);
    official["official_score_ci95"] = metric_value(result.official_score_ci95);
    official["note"] = "over every section of WORK/scores/" + name;
    rows.official.push_back(std::move(official));
}

DetectorRun run_detector_pass(const fs::path& work, const dataset::Manifest& manifest,
                              const Target& target, DetectorPass& pass,
                              const ScoreStageOptions& options, DetectorRows& rows,
                              std::vector<fs::path>& plots) {
    DetectorRun run;
    run.name = pass.name;
    run.folder = pass.folder;
    run.space = pass.space_kind;
    run.sections = static_cast<std::int64_t>(pass.sections.size());
    fs::create_directories(pass.folder);

    const fs::path stamps_path = pass.folder / ".fingerprints.json";
    Json stamps = read_json_object(stamps_path);
    std::map<std::string, std::string> fingerprints;
    Hasher plot_hasher;
    plot_hasher.add(score_format_version).add(std::string("plot"));
    for (const ScoreSection& section : pass.sections) {
        Hasher hasher;
        hasher.add(score_format_version)
            .add(pass.name)
            .add(manifest.fingerprint)
            .add(pass.source_stamp)
            .add(section_key(section))
            .add(analysis::to_string(options.detector))
            .add(std::int64_t{options.k})
            .add(analysis::to_string(options.aggregate))
            .add(std::int64_t{options.per_domain})
            .add(options.threshold_quantile)
            .add(neighbors::to_string(options.knn))
            .add(static_cast<std::int64_t>(options.seed));
        fingerprints[section_key(section)] = hasher.hex();
        plot_hasher.add(hasher.hex());
    }

    const bool plotting = options.plot && target.map.has_value();
    const std::string plot_key = "plot " + target.map_name;
    fs::path plot_path;
    bool plot_stale = false;
    if (plotting) {
        plot_path = work / "plots" /
                    fmt::format("{}_score-{}-{}.png", target.map_name, detector_label(options),
                                pass.space_kind);
        plot_stale = options.force || !fs::exists(plot_path) ||
                     stamps.value(plot_key, std::string()) != plot_hasher.hex();
    }

    DetectorSettings settings;
    settings.kind = options.detector;
    settings.k = options.k;
    settings.aggregate = options.aggregate;
    settings.per_domain = options.per_domain;
    settings.threshold_quantile = options.threshold_quantile;
    settings.knn.method = options.knn;
    settings.knn.jobs = options.jobs;
    settings.knn.seed = options.seed;

    std::vector<VectorScore> vector_scores;
    bool all_reused = true;
    std::vector<std::string> without_training;
    for (const ScoreSection& section : pass.sections) {
        const std::string key = section_key(section);
        const fs::path score_file =
            pass.folder / anomaly_score_file_name(section.device, section.section);
        if (section.train_files.empty()) {
            // No reference for the detector, so a score file left by an earlier manifest goes.
            without_training.push_back(key);
            std::error_code error;
            fs::remove(score_file, error);
            fs::remove(pass.folder / decision_file_name(section.device, section.section), error);
            stamps.erase(key);
            continue;
        }
        if (!options.force && !plot_stale && fs::exists(score_file) &&
            stamps.value(key, std::string()) == fingerprints[key]) {
            continue;
        }
        all_reused = false;
        try {
            const SectionScores scores = score_section(section, *pass.source, manifest, settings);
            write_section_scores(pass.folder, section, scores, manifest);
            stamps[key] = fingerprints[key];
            run.files_scored += static_cast<std::int64_t>(scores.test.files.size());
            rows.recomputed_sections.insert(pass.name + " " + key);
            for (const ReferenceSummary& reference : scores.references) {
                Json row = detector_fields(pass.name, options, pass.space_kind);
                row["device"] = section.device;
                row["section"] = fmt::format("{:02d}", section.section);
                row["reference"] = reference.domain;
                row["k_used"] = reference.k;
                row["train_vectors"] = reference.duplicates.vectors;
                row["zero_k_distance"] = reference.duplicates.zero_k_distance;
                row["zero_k_distance_fraction"] = reference.duplicates.fraction();
                rows.duplicates.push_back(std::move(row));
                if (reference.duplicates.zero_k_distance > 0) {
                    spdlog::warn(
                        "score {}: {} section {:02d}: {} of {} training vectors ({:.1f}%) of "
                        "reference '{}' have k-distance 0 (at least k = {} identical "
                        "vectors); LOF stays finite through its 1e-10 floor",
                        pass.name, section.device, section.section,
                        reference.duplicates.zero_k_distance, reference.duplicates.vectors,
                        100.0 * reference.duplicates.fraction(), reference.domain, reference.k);
                }
            }
            spdlog::info(
                "score {}: {} section {:02d}: {} training vectors, {} test files, "
                "threshold {}",
                pass.name, section.device, section.section, scores.train_vectors,
                scores.test.files.size(),
                scores.threshold ? fmt::format("{:.6g}", *scores.threshold) : std::string("none"));
            if (!scores.threshold) {
                spdlog::warn(
                    "score {}: {} section {:02d}: no decision threshold, because {} training "
                    "file(s) give no leave-one-file-out score; no decision_result file is "
                    "written, so precision, recall and F1 are undefined",
                    pass.name, section.device, section.section, section.train_files.size());
            }
            if (plotting) {
                vector_scores.insert(vector_scores.end(), scores.vectors.begin(),
                                     scores.vectors.end());
            }
        } catch (const Error& error) {
            spdlog::error("score {}: {} section {:02d} failed: {}", pass.name, section.device,
                          section.section, error.what());
            stamps.erase(key);
            ++run.failed_sections;
        }
    }
    run.reused = all_reused;
    run.skipped_sections = static_cast<std::int64_t>(without_training.size());
    if (!without_training.empty()) {
        std::string list;
        for (const std::string& key : without_training) {
            list += (list.empty() ? "" : ", ") + key;
        }
        spdlog::warn(
            "score {}: {} section(s) have test files but no training files and are "
            "not scored: {}",
            pass.name, without_training.size(), list);
    }

    if (plotting && plot_stale) {
        try {
            write_plot(target, manifest, vector_scores, options, pass.space_kind, plot_path);
            if (run.failed_sections == 0) {
                stamps[plot_key] = plot_hasher.hex();
            }
            plots.push_back(plot_path);
        } catch (const Error& error) {
            spdlog::error("score {}: plot {} failed: {}", pass.name, plot_path.string(),
                          error.what());
            stamps.erase(plot_key);
            ++run.failed_sections;
        }
    }
    write_if_changed(stamps_path, stamps.dump(1) + "\n");

    const FolderEvaluation evaluation =
        evaluate_score_folder(work, pass.folder, manifest, options.edition, options.jobs);
    if (evaluation.result) {
        run.official_score = evaluation.result->official_score.value;
        run.result_table = evaluation.table;
        add_evaluation_rows(*evaluation.result, pass.name, options, pass.space_kind, target.devices,
                            rows);
    }
    return run;
}

// Replaces the rows of `name` in `array` by `rows`. With `replaced_sections`, only the rows
// of `name` whose "<name> device/section" is in it are replaced and the others stay.
Json merge_rows(const Json& array, const std::string& name, const Json& rows,
                const std::set<std::string>* replaced_sections = nullptr) {
    Json merged = Json::array();
    if (array.is_array()) {
        for (const Json& row : array) {
            if (!row.is_object() || row.value("scores", std::string()) != name) {
                merged.push_back(row);
                continue;
            }
            if (replaced_sections != nullptr) {
                const std::string key = name + " " + row.value("device", std::string()) + "/" +
                                        row.value("section", std::string());
                if (!replaced_sections->contains(key)) {
                    merged.push_back(row);
                }
            }
        }
    }
    for (const Json& row : rows) {
        merged.push_back(row);
    }
    std::stable_sort(merged.begin(), merged.end(), [](const Json& a, const Json& b) {
        auto key = [](const Json& row) {
            return std::make_tuple(
                row.value("scores", std::string()), row.value("device", std::string()),
                row.value("section", std::string()), row.value("domain", std::string()),
                row.value("reference", std::string()));
        };
        return key(a) < key(b);
    });
    return merged;
}

std::string metrics_fingerprint(const Target& target, const FeatureFile& features,
                                const dataset::Manifest& manifest,
                                const ScoreStageOptions& options) {
    Hasher hasher;
    hasher.add(score_format_version)
        .add(std::string("metrics"))
        .add(file_stamp(target.map_path))
        .add(file_stamp(features.path()))
        .add(manifest.fingerprint)
        .add(options.device)
        .add(analysis::to_string(options.sep.loss))
        .add(options.sep.c)
        .add(std::int64_t{options.sep.folds})
        .add(options.sep.max_vectors_per_class)
        .add(std::string(options.sep.solver_name()))
        .add(options.sep.solver_tolerance())
        .add(std::int64_t{options.dsup_k})
        .add(options.coverage_quantile)
        .add(neighbors::to_string(options.knn))
        .add(static_cast<std::int64_t>(options.seed));
    return hasher.hex();
}

Json metrics_settings(const ScoreStageOptions& options) {
    return Json{{"svm_loss", std::string(analysis::to_string(options.sep.loss))},
                {"svm_c", options.sep.c},
                {"svm_solver", std::string(options.sep.solver_name())},
                {"svm_tolerance", options.sep.solver_tolerance()},
                {"cv_folds", options.sep.folds},
                {"sep_max_vectors_per_class", options.sep.max_vectors_per_class},
                {"dsup_k", options.dsup_k},
                {"coverage_quantile", options.coverage_quantile},
                {"knn_method", std::string(neighbors::to_string(options.knn))},
                {"seed", options.seed},
                {"uadscope_version", UADSCOPE_VERSION}};
}

}  // namespace

ScoreStageResult run_score_stage(const fs::path& work, const ScoreStageOptions& options) {
    options.validate();
    const Workspace workspace(work);
    const dataset::Manifest manifest = dataset::read_manifest(workspace.manifest());
    const bool map_mode = options.rep.empty();
    const ScoreSpace space =
        options.space.value_or(map_mode ? ScoreSpace::map : ScoreSpace::original);
    std::vector<ScoreSpace> spaces;
    if (space != ScoreSpace::map) {
        spaces.push_back(ScoreSpace::original);
    }
    if (space != ScoreSpace::original) {
        spaces.push_back(ScoreSpace::map);
    }

    std::vector<std::string> names;
    if (map_mode) {
        names = options.maps.empty() ? all_map_names(work) : options.maps;
    } else {
        names.push_back("");
    }

    const DeviceNames device_names(manifest);
    if (!options.device.empty()) {
        std::set<std::string> devices;
        for (const auto& record : manifest.records) {
            if (!record.external && !record.name.device.empty()) {
                devices.insert(device_names.of(record));
                devices.insert(record.name.device);
            }
        }
        if (!devices.contains(options.device)) {
            std::string known;
            for (const auto& device : devices) {
                known += (known.empty() ? "" : ", ") + device;
            }
            throw UsageError(
                fmt::format("invalid --device '{}': the manifest has no such device; "
                            "use one of: {}",
                            options.device, known));
        }
    }
    ScoreStageResult result;
    auto score_target = [&](const std::string& map_name) {
        Target target;
        if (map_mode) {
            target = load_target(work, map_name, manifest);
        } else {
            target.rep = options.rep;
            target.stack = options.stack;
        }
        for (const std::int32_t file : target.files) {
            if (file >= 0 && static_cast<std::size_t>(file) < manifest.size()) {
                const auto& record = manifest.records[static_cast<std::size_t>(file)];
                if (!record.external && !record.name.device.empty()) {
                    target.devices.insert(device_names.of(record));
                    target.device_types.insert(record.name.device);
                }
            }
        }
        if (!options.device.empty() && map_mode && !target.devices.contains(options.device) &&
            !target.device_types.contains(options.device)) {
            spdlog::info("score: map {} has no device '{}'; skipped", target.map_name,
                         options.device);
            return;
        }
        std::optional<FeatureFile> features;
        auto need_features = [&]() -> const FeatureFile& {
            if (!features) {
                features.emplace(open_workspace_features(work, target.rep, manifest));
            }
            return *features;
        };

        DetectorRows rows;
        std::vector<DetectorRun> runs;
        for (const ScoreSpace pass_space : spaces) {
            DetectorPass pass;
            pass.space_kind = pass_space == ScoreSpace::map ? "map" : "original";
            pass.name = fmt::format("{}_{}_s{}_{}", detector_label(options), target.rep,
                                    target.stack, space_label(target, pass_space, options));
            pass.folder = work / "scores" / pass.name;
            if (pass_space == ScoreSpace::map) {
                pass.source = map_point_vectors(*target.map, PointSpace::map, nullptr,
                                                manifest.size(), target.stack);
                pass.source_stamp = file_stamp(target.map_path);
                pass.sections = score_sections(manifest, target.files, options.device);
            } else if (options.original_vectors == OriginalVectors::sample) {
                pass.source = map_point_vectors(*target.map, PointSpace::original, &need_features(),
                                                manifest.size(), target.stack);
                pass.source_stamp =
                    file_stamp(target.map_path) + file_stamp(need_features().path());
                pass.sections = score_sections(manifest, target.files, options.device);
            } else {
                pass.source =
                    feature_vectors(need_features(), manifest.size(), target.stack, options.stride);
                pass.source_stamp =
                    file_stamp(need_features().path()) + fmt::format("/stride{}", options.stride);
                // Every file of the map's devices, or of every device without a map.
                std::vector<std::int32_t> files;
                for (const auto& record : manifest.records) {
                    if (!map_mode || target.devices.contains(device_names.of(record))) {
                        files.push_back(static_cast<std::int32_t>(record.file_id));
                    }
                }
                pass.sections = score_sections(manifest, files, options.device);
            }
            if (pass.sections.empty()) {
                spdlog::info(
                    "score {}: no machine section has training or test files (files without a "
                    "split, such as MIMII, are not scored)",
                    pass.name);
                continue;
            }
            DetectorRun run =
                run_detector_pass(work, manifest, target, pass, options, rows, result.plots);
            result.failures += run.failed_sections;
            runs.push_back(std::move(run));
        }
        result.detectors.insert(result.detectors.end(), runs.begin(), runs.end());
        if (!map_mode) {
            return;
        }

        // Metrics document of the map.
        const fs::path json_path = work / "metrics" / (target.map_name + ".json");
        const fs::path csv_path = work / "metrics" / (target.map_name + ".csv");
        const Json existing = read_json_object(json_path);
        Json document = map_description(target.map_name, *target.map, manifest);
        MapMetrics metrics;
        metrics.map = target.map_name;
        metrics.json = json_path;
        if (options.metrics) {
            const std::string fingerprint =
                metrics_fingerprint(target, need_features(), manifest, options);
            if (!options.force &&
                existing.value("input_fingerprint", std::string()) == fingerprint &&
                existing.contains("sep") && existing.contains("dsup")) {
                metrics.reused = true;
                document["settings"] = existing["settings"];
                document["sep"] = existing["sep"];
                document["dsup"] = existing["dsup"];
                spdlog::info("metrics {}: inputs unchanged, SEP and DSUP kept", target.map_name);
            } else {
                MetricsSettings settings;
                settings.sep = options.sep;
                settings.sep.seed = options.seed;
                settings.sep.jobs = options.jobs;
                settings.dsup.k = options.dsup_k;
                settings.dsup.coverage_quantile = options.coverage_quantile;
                settings.dsup.knn.method = options.knn;
                settings.dsup.knn.jobs = options.jobs;
                settings.dsup.knn.seed = options.seed;
                MapMetricRows computed =
                    compute_map_metrics(target.map_name, *target.map, manifest, need_features(),
                                        target.stack, options.device, settings);
                result.failures += computed.failed_sections;
                document["settings"] = metrics_settings(options);
                document["sep"] = std::move(computed.sep);
                document["dsup"] = std::move(computed.dsup);
                if (computed.failed_sections == 0) {
                    document["input_fingerprint"] = fingerprint;
                }
            }
        } else {
            for (const char* key : {"settings", "sep", "dsup", "input_fingerprint"}) {
                if (existing.contains(key)) {
                    document[key] = existing[key];
                }
            }
        }
        if (metrics.reused) {
            document["input_fingerprint"] = existing["input_fingerprint"];
        }
        Json detectors = existing.value("detectors", Json::array());
        Json official = existing.value("official_scores", Json::array());
        Json duplicates = existing.value("duplicates", Json::array());
        for (const DetectorRun& run : runs) {
            Json run_rows = Json::array();
            for (const Json& row : rows.detectors) {
                if (row["scores"] == run.name) {
                    run_rows.push_back(row);
                }
            }
            Json run_official = Json::array();
            for (const Json& row : rows.official) {
                if (row["scores"] == run.name) {
                    run_official.push_back(row);
                }
            }
            Json run_duplicates = Json::array();
            for (const Json& row : rows.duplicates) {
                if (row["scores"] == run.name) {
                    run_duplicates.push_back(row);
                }
            }
            detectors = merge_rows(detectors, run.name, run_rows);
            official = merge_rows(official, run.name, run_official);
            duplicates =
                merge_rows(duplicates, run.name, run_duplicates, &rows.recomputed_sections);
        }
        document["detectors"] = detectors;
        document["official_scores"] = official;
        document["duplicates"] = duplicates;
        metrics.sep_rows = static_cast<std::int64_t>(document.value("sep", Json::array()).size());
        metrics.dsup_rows = static_cast<std::int64_t>(document.value("dsup", Json::array()).size());
        write_if_changed(json_path, document.dump(1) + "\n");
        write_if_changed(csv_path, metrics_csv(document));
        result.metrics.push_back(std::move(metrics));
    };

    // With several maps, one that fails is logged and the others are still scored.
    for (const std::string& map_name : names) {
        if (names.size() == 1) {
            score_target(map_name);
            continue;
        }
        try {
            score_target(map_name);
        } catch (const UsageError&) {
            throw;
        } catch (const Error& error) {
            spdlog::error("score: map {} failed: {}", map_name, error.what());
            ++result.failures;
        }
    }
    return result;
}

}  // namespace uadscope::pipeline
