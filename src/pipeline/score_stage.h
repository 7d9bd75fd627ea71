#pragma once

// `uadscope score`: nearest-neighbour detectors, SEP and DSUP per map, and the DCASE
// evaluation of the detectors' scores.
//
// Detectors (kNN distance or LOF, analysis/knn_detector.h) are fitted per (device, section)
// on the section's training vectors and score its test files. Their per-file scores go to
//   WORK/scores/<name>/anomaly_score_<device>_section_<NN>_test.csv   rows "<file>,<score>"
//   WORK/scores/<name>/decision_result_<device>_section_<NN>_test.csv rows "<file>,<0|1>"
// in the layout of the DCASE 2022 to 2025 evaluators, with the decision threshold at the
// 90th percentile of the section's training-file scores. The ground truth of the labelled
// test files goes to WORK/ground_truth/<name>/ (ground_truth_data/, ground_truth_domain/),
// the evaluation to WORK/scores/<name>/result.csv and result.json.
//
// Per map, WORK/metrics/<map>.json and .csv hold SEP and DSUP for every (device, section,
// domain) in the original representation and on the map, and the detectors' DCASE
// metrics; WORK/plots/<map>_score-<detector>-<space>.png shows the map coloured by the
// detector's vector scores. Every output is rewritten only when its content changes, and a
// computation whose inputs and parameters are unchanged is skipped.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "analysis/discriminative_support.h"
#include "analysis/knn_detector.h"
#include "analysis/separability.h"
#include "dataset/manifest.h"
#include "neighbors/knn_graph.h"

namespace uadscope::pipeline {

// The space in which the detectors look at the data.
enum class ScoreSpace {
    original,  // stacked vectors of the feature file
    map,       // 2-D map coordinates of the map's sampled points
    both,
};

// "original", "map" or "both"; throws UsageError otherwise.
ScoreSpace parse_score_space(const std::string& text);

// The vectors that represent a file in the original space.
enum class OriginalVectors {
    all,     // every stride-th stacked vector of each file
    sample,  // the map's sampled points (requires a map)
};

// "all" or "sample"; throws UsageError otherwise.
OriginalVectors parse_original_vectors(const std::string& text);

// Quantile of the training-file scores used as decision threshold. The DCASE baselines take
// the 0.9 quantile of a gamma distribution fitted to those scores; uadscope takes the
// empirical quantile.
inline constexpr double default_threshold_quantile = 0.9;

struct ScoreStageOptions {
    // Map names (stems under WORK/maps, ".h5" optional). With neither maps nor rep, every
    // map of the workspace.
    std::vector<std::string> maps;
    // Without maps: score this representation in the original space.
    std::string rep;
    int stack = 1;  // with rep, in [1, 64]
    // Only this device; empty scores every device of the map or manifest.
    std::string device;

    analysis::DetectorKind detector = analysis::DetectorKind::knn;
    int k = analysis::default_detector_k;  // >= 1
    analysis::FileAggregate aggregate = analysis::FileAggregate::mean;
    // Fits one detector per domain of the training data and keeps each vector's minimum
    // score over them.
    bool per_domain = false;
    // Default: map when maps are scored, original with rep.
    std::optional<ScoreSpace> space;
    OriginalVectors original_vectors = OriginalVectors::all;
    int stride = 1;                                          // >= 1; with OriginalVectors::all
    double threshold_quantile = default_threshold_quantile;  // in [0, 1]
    // "auto" (2021 when every labelled test file is named in the DCASE 2021 scheme, else
    // 2022 to 2025), or an edition accepted by analysis::parse_dcase_edition.
    std::string edition = "auto";

    // SEP and DSUP per map.
    bool metrics = true;
    analysis::SeparabilityOptions sep;
    int dsup_k = analysis::default_detector_k;
    double coverage_quantile = analysis::default_coverage_quantile;

    neighbors::KnnMethod knn = neighbors::KnnMethod::automatic;
    bool plot = true;
    // Seed of the SEP folds and vector sample and of HNSW graphs; recorded in the outputs.
    std::uint64_t seed = 0;
    int jobs = 0;
    // Recompute everything, even when inputs and parameters are unchanged.
    bool force = false;

    // Throws UsageError naming the first invalid value or combination.
    void validate() const;
};

// One set of detector scores, WORK/scores/<name>.
struct DetectorRun {
    std::string name;
    std::filesystem::path folder;
    std::string space;              // "original" or "map"
    std::int64_t files_scored = 0;  // test files written by this run (0 when all reused)
    std::int64_t sections = 0;
    // Sections with test files but no training file: the detector has no reference, so they
    // are logged and left out (not failures).
    std::int64_t skipped_sections = 0;
    std::int64_t failed_sections = 0;
    bool reused = false;  // every section's inputs unchanged
    std::optional<double> official_score;
    std::filesystem::path result_table;  // empty when no labelled test file was scored
};

struct MapMetrics {
    std::string map;
    std::filesystem::path json;
    bool reused = false;  // SEP and DSUP inputs unchanged
    std::int64_t sep_rows = 0;
    std::int64_t dsup_rows = 0;
};

struct ScoreStageResult {
    std::vector<DetectorRun> detectors;
    std::vector<MapMetrics> metrics;
    std::vector<std::filesystem::path> plots;
    std::int64_t failures = 0;  // sections or maps that failed and were logged

    // ExitCode::ok, or ExitCode::partial when something failed.
    int exit_code() const;
};

// True when the manifest has a test file of a machine (not external data) labelled normal or
// anomaly, so that the detectors' DCASE metrics, SEP and DSUP can be measured.
bool has_labelled_test_files(const dataset::Manifest& manifest);

// "knn", or with non-default settings e.g. "lof-k10-max-domain".
std::string detector_label(const ScoreStageOptions& options);

// Runs the stage. Throws Error for a missing manifest, map or feature file and UsageError
// for invalid options. A section, or one map of several, that fails is logged, counted and
// skipped.
ScoreStageResult run_score_stage(const std::filesystem::path& work,
                                 const ScoreStageOptions& options);

}  // namespace uadscope::pipeline
