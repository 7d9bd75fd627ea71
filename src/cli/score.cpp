// `uadscope score WORK`: kNN and LOF detectors, SEP and DSUP per map, DCASE metrics.

#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/error.h"
#include "pipeline/score_stage.h"

namespace uadscope::cli {
namespace {

int run_score(int argc, char** argv) {
    CLI::App app{
        "Score test files with a kNN-distance or LOF detector fitted per device and section on "
        "the training data, in the original representation or on a map; write "
        "WORK/scores/<detector>_<rep>_s<stack>_<space>/anomaly_score_*.csv and "
        "decision_result_*.csv in the DCASE evaluators' layout and their evaluation "
        "result.csv; for each map, measure SEP and DSUP per section and domain in both spaces "
        "(WORK/metrics/<map>.json and .csv) and plot the map coloured by the detector's "
        "scores. Work whose inputs are unchanged is skipped"};
    pipeline::ScoreStageOptions options;
    std::string work;
    std::string detector = "knn";
    std::string aggregate = "mean";
    std::string space;
    std::string original_vectors = "all";
    std::string svm_loss = "l2";
    std::string knn = "automatic";
    bool no_metrics = false;
    bool no_plot = false;
    app.add_option("WORK", work, "Workspace folder")->required();
    app.add_option("--map", options.maps,
                   "Map name under WORK/maps (repeatable); default: every map");
    app.add_option("--rep", options.rep,
                   "Score this representation without a map (original space only)");
    app.add_option("--stack", options.stack, "Consecutive frames per vector with --rep (1 to 64)")
        ->capture_default_str();
    app.add_option("--device", options.device, "Only this device");
    app.add_option("--detector", detector,
                   "knn (mean distance to the k nearest training vectors) or lof (local outlier "
                   "factor)")
        ->capture_default_str();
    app.add_option("--k", options.k, "Neighbours of the detector")->capture_default_str();
    app.add_option("--aggregate", aggregate, "Vector scores to a file score: mean or max")
        ->capture_default_str();
    app.add_flag("--per-domain", options.per_domain,
                 "Fit one detector per domain of the training data and keep each vector's "
                 "minimum score");
    app.add_option("--space", space,
                   "Where the detector runs: original (stacked vectors), map (2-D coordinates) "
                   "or both [default: map with maps, original with --rep]");
    app.add_option("--original-vectors", original_vectors,
                   "Original space: all (every stride-th vector of each file) or sample (the "
                   "map's sampled points)")
        ->capture_default_str();
    app.add_option("--stride", options.stride,
                   "Original space with all vectors: keep every stride-th vector of each file")
        ->capture_default_str();
    app.add_option("--threshold-quantile", options.threshold_quantile,
                   "Decision threshold: this quantile of the training files' leave-one-file-out "
                   "scores")
        ->capture_default_str();
    app.add_option("--edition", options.edition,
                   "DCASE metric definitions: auto (2021 for DCASE 2021 file names, else 2022 "
                   "to 2025), 2021, or 2022 to 2025")
        ->capture_default_str();
    app.add_flag("--no-metrics", no_metrics, "Skip SEP and DSUP");
    app.add_option("--svm-loss", svm_loss,
                   "SEP's linear SVM loss: l1 (hinge) or l2 (squared hinge)")
        ->capture_default_str();
    app.add_option("--svm-c", options.sep.c, "SEP's SVM C (larger: fewer margin violations)")
        ->capture_default_str();
    app.add_option("--folds", options.sep.folds, "SEP's cross-validation folds, grouped by file")
        ->capture_default_str();
    app.add_option("--sep-max-vectors", options.sep.max_vectors_per_class,
                   "SEP's vectors per class (seeded sample beyond it); 0 keeps all")
        ->capture_default_str();
    app.add_option("--dsup-k", options.dsup_k, "DSUP's neighbours")->capture_default_str();
    app.add_option("--coverage-quantile", options.coverage_quantile,
                   "DSUP coverage: quantile of the training vectors' leave-one-file-out "
                   "distances that bounds a covered normal test vector")
        ->capture_default_str();
    app.add_option("--knn", knn,
                   "kNN search: automatic (exact up to 20000 training vectors, HNSW above), "
                   "exact or hnsw")
        ->capture_default_str();
    app.add_flag("--no-plot", no_plot, "Skip the score plots");
    app.add_option("--seed", options.seed, "Seed of SEP's folds and sample and of HNSW")
        ->capture_default_str();
    app.add_option("-j,--jobs", options.jobs, "Threads (0: one per core)")->capture_default_str();
    app.add_flag("--force", options.force, "Recompute everything, even with unchanged inputs");
    if (const auto code = parse_arguments(app, argc, argv)) {
        return *code;
    }
    try {
        options.detector = analysis::parse_detector_kind(detector);
        options.aggregate = analysis::parse_file_aggregate(aggregate);
        options.sep.loss = analysis::parse_svm_loss(svm_loss);
        options.knn = neighbors::parse_knn_method(knn);
    } catch (const UsageError&) {
        throw;
    } catch (const Error& error) {
        throw UsageError(error.what());
    }
    if (!space.empty()) {
        options.space = pipeline::parse_score_space(space);
    }
    options.original_vectors = pipeline::parse_original_vectors(original_vectors);
    options.metrics = !no_metrics;
    options.plot = !no_plot;

    const pipeline::ScoreStageResult result = pipeline::run_score_stage(work, options);
    for (const auto& run : result.detectors) {
        const std::string score =
            run.official_score ? std::to_string(*run.official_score) : std::string("-");
        std::printf("%-48s %6lld files scored  official score %s%s\n", run.name.c_str(),
                    static_cast<long long>(run.files_scored), score.c_str(),
                    run.reused ? "  (unchanged)" : "");
    }
    for (const auto& metrics : result.metrics) {
        std::printf("%-48s %4lld SEP and %lld DSUP rows -> %s%s\n", metrics.map.c_str(),
                    static_cast<long long>(metrics.sep_rows),
                    static_cast<long long>(metrics.dsup_rows), metrics.json.string().c_str(),
                    metrics.reused ? "  (unchanged)" : "");
    }
    for (const auto& plot : result.plots) {
        std::printf("plot -> %s\n", plot.string().c_str());
    }
    return result.exit_code();
}

const CommandRegistration registration(
    {"score", "kNN and LOF detectors, SEP, DSUP and DCASE metrics per map", 45, run_score});

}  // namespace
}  // namespace uadscope::cli
