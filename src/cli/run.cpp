// `uadscope run DATASET... -o WORK`: index, features, maps, plots, scores and metrics, and the
// report in one command.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/error.h"
#include "dataset/manifest.h"
#include "pipeline/features_stage.h"
#include "pipeline/index_stage.h"
#include "pipeline/map_stage.h"
#include "pipeline/report.h"
#include "pipeline/score_stage.h"
#include "pipeline/workspace.h"
#include "plot/workspace_plots.h"

namespace uadscope::cli {
namespace {

// Runs `uadscope score` with its defaults on the maps of this run: a kNN detector on each
// map, SEP and DSUP in the original space and on the map, and the DCASE metrics. Returns
// false when something failed (logged).
bool run_scores(const std::string& work, const std::vector<std::string>& map_names,
                std::uint64_t seed, int jobs) {
    const dataset::Manifest manifest = dataset::read_manifest(pipeline::Workspace(work).manifest());
    if (!pipeline::has_labelled_test_files(manifest)) {
        std::printf("score: skipped, no test file is labelled normal or anomaly\n");
        return true;
    }
    pipeline::ScoreStageOptions options;
    options.maps = map_names;
    options.seed = seed;
    options.jobs = jobs;
    pipeline::ScoreStageResult result;
    try {
        result = pipeline::run_score_stage(work, options);
    } catch (const Error& error) {
        spdlog::error("score: {}", error.what());
        return false;
    }
    std::int64_t files = 0;
    std::int64_t reused = 0;
    bool skipped = false;
    for (const auto& detector : result.detectors) {
        files += detector.files_scored;
        reused += detector.reused ? 1 : 0;
        skipped = skipped || detector.skipped_sections > 0;
    }
    std::int64_t metrics_reused = 0;
    for (const auto& metrics : result.metrics) {
        metrics_reused += metrics.reused ? 1 : 0;
    }
    std::printf(
        "score: %zu detector runs (%lld kept), %lld test files scored, metrics of %zu maps "
        "(%lld kept), %lld failures\n",
        result.detectors.size(), static_cast<long long>(reused), static_cast<long long>(files),
        result.metrics.size(), static_cast<long long>(metrics_reused),
        static_cast<long long>(result.failures));
    if (skipped) {
        std::printf(
            "score: sections with test files but no training files were not scored "
            "(listed in the log)\n");
    }
    return result.failures == 0;
}

int run_run(int argc, char** argv) {
    CLI::App app{
        "Run every stage on datasets: index, features, map, plot, score (when test files are "
        "labelled) and report. Defaults mirror the 2021 paper: log-STFT and log-mel, stacks 1 "
        "and 5, one map per device and one global map, seed 0. Stages whose inputs are "
        "unchanged do no work."};
    std::vector<std::string> datasets;
    std::vector<std::string> externals;
    std::string work;
    std::string scheme = "auto";
    std::vector<std::string> reps = {"log_stft", "log_mel"};
    std::vector<int> stacks = {1, 5};
    std::vector<std::string> scopes = {"device", "global"};
    std::string fit = "joint";
    std::int64_t max_train = -1;
    std::int64_t max_test = -1;
    std::uint64_t seed = 0;
    int jobs = 0;
    std::string formats = "png,svg";
    bool no_score = false;
    app.add_option("DATASET", datasets, "Dataset folders, as DIR or NAME=DIR")->required();
    app.add_option("-o,--output", work, "Workspace folder; created when missing")->required();
    app.add_option("--external", externals,
                   "NAME=DIR: unlabelled data drawn behind the machine data (repeatable)");
    app.add_option("--scheme", scheme, "Naming schemes to try (see uadscope index --help)")
        ->capture_default_str();
    app.add_option("--rep", reps, "Representations: log_stft, log_mel")
        ->delimiter(',')
        ->capture_default_str();
    app.add_option("--stack", stacks, "Stack lengths in frames, comma-separated")
        ->delimiter(',')
        ->capture_default_str();
    app.add_option("--scope", scopes, "Map scopes: device, global, section")
        ->delimiter(',')
        ->capture_default_str();
    app.add_option("--fit", fit, "joint or train (see uadscope map --help)")->capture_default_str();
    // CLI11 converts "-1" to 2^64 - 1 for an unsigned option, and -1 is the internal "scope
    // default" of the caps, so the sign is checked on the text.
    const CLI::Validator non_negative(
        [](std::string& text) {
            return text.rfind('-', 0) == 0 ? "must be 0 or more, not " + text : std::string();
        },
        "");
    app.add_option("--max-train", max_train,
                   "Vectors kept per training group; 0 keeps all [default: 10000 per device "
                   "map group, 1000 per global map group]")
        ->check(non_negative);
    app.add_option("--max-test", max_test,
                   "Vectors kept per test group; 0 keeps all [default: 20000 per device map "
                   "group, 2000 per global map group]")
        ->check(non_negative);
    app.add_option("--seed", seed, "Seed of sampling, UMAP and plot draw order")
        ->check(non_negative)
        ->capture_default_str();
    app.add_option("--format", formats, "Plot formats: png, svg or png,svg")->capture_default_str();
    app.add_flag("--no-score", no_score,
                 "Skip the score stage (kNN detector scores, SEP, DSUP and DCASE metrics per map)");
    app.add_option("-j,--jobs", jobs, "Threads (0: one per core)")->capture_default_str();
    if (const auto code = parse_arguments(app, argc, argv)) {
        return *code;
    }
    // Every option is checked before the first stage writes anything.
    for (const int stack : stacks) {
        if (stack < 1 || stack > 64) {
            throw UsageError("invalid --stack " + std::to_string(stack) +
                             ": use stack lengths from 1 to 64 frames");
        }
    }
    for (const auto& rep : reps) {
        if (rep != "log_stft" && rep != "log_mel") {
            throw UsageError("invalid --rep '" + rep +
                             "': run computes log_stft and log_mel; map imported embeddings "
                             "with uadscope map --rep NAME");
        }
    }
    for (const auto& scope : scopes) {
        pipeline::parse_map_scope(scope);
    }
    pipeline::parse_fit_mode(fit);
    for (std::size_t start = 0; start <= formats.size();) {
        const std::size_t comma = std::min(formats.find(',', start), formats.size());
        plot::parse_image_format(std::string_view(formats).substr(start, comma - start));
        start = comma + 1;
    }
    ExitCode status = ExitCode::ok;

    pipeline::IndexOptions index_options;
    index_options.workspace = work;
    index_options.datasets = datasets;
    index_options.externals = externals;
    index_options.schemes = scheme;
    index_options.jobs = jobs;
    const pipeline::IndexResult index = pipeline::run_index(index_options);
    std::printf("index: %zu files, %zu skipped%s\n", index.records.size(), index.skipped.size(),
                index.unreadable ? ", some unreadable" : "");
    if (index.exit_code() != ExitCode::ok) {
        status = ExitCode::partial;
    }

    pipeline::FeaturesOptions features_options;
    features_options.workspace = work;
    features_options.reps = reps;
    features_options.jobs = jobs;
    features_options.tool_version = "uadscope " UADSCOPE_VERSION;
    const pipeline::FeaturesResult features = pipeline::run_features(features_options);
    std::printf("features: %zu files computed, %zu reused, %zu failed", features.computed,
                features.reused, features.failures.size());
    if (!features.up_to_date.empty()) {
        std::string names;
        for (const auto& rep : features.up_to_date) {
            names += (names.empty() ? "" : ", ") + rep;
        }
        std::printf("; up to date: %s", names.c_str());
    }
    std::printf("\n");
    for (const auto& [file, reason] : features.failures) {
        std::printf("  failed: %s: %s\n", file.c_str(), reason.c_str());
    }
    if (features.exit_code() != ExitCode::ok) {
        status = ExitCode::partial;
    }

    std::vector<std::string> map_names;
    int failed_maps = 0;
    for (const auto& rep : reps) {
        for (const int stack : stacks) {
            for (const auto& scope : scopes) {
                pipeline::MapStageOptions map_options;
                map_options.rep = rep;
                map_options.stack = stack;
                map_options.scope = pipeline::parse_map_scope(scope);
                map_options.fit = pipeline::parse_fit_mode(fit);
                map_options.max_train = max_train;
                map_options.max_test = max_test;
                map_options.seed = seed;
                map_options.external = !externals.empty();
                map_options.jobs = jobs;
                try {
                    for (const auto& map : pipeline::run_map_stage(work, map_options)) {
                        if (!map.error.empty()) {
                            std::printf("map: %-40s failed: %s\n", map.name.c_str(),
                                        map.error.c_str());
                            ++failed_maps;
                            status = ExitCode::partial;
                            continue;
                        }
                        std::printf("map: %-40s %8lld points, trustworthiness %.4f%s\n",
                                    map.name.c_str(), static_cast<long long>(map.points),
                                    map.trustworthiness, map.reused ? " (unchanged)" : "");
                        map_names.push_back(map.name);
                    }
                } catch (const Error& error) {
                    // One failing map (say a stack longer than every file) leaves the others.
                    spdlog::error("map {} stack {} scope {}: {}", rep, stack, scope, error.what());
                    ++failed_maps;
                    status = ExitCode::partial;
                }
            }
        }
    }

    plot::WorkspacePlotOptions plot_options;
    plot_options.maps = map_names;
    plot_options.plot.seed = seed;
    plot_options.plot.threads = jobs;
    plot_options.formats.clear();
    for (std::size_t start = 0; start <= formats.size();) {
        const std::size_t comma = std::min(formats.find(',', start), formats.size());
        plot_options.formats.push_back(
            plot::parse_image_format(std::string_view(formats).substr(start, comma - start)));
        start = comma + 1;
    }
    if (!map_names.empty()) {
        const plot::WorkspacePlotResult plots = plot::plot_workspace(work, plot_options);
        std::printf("plots: %lld written, %lld unchanged, %lld failed\n",
                    static_cast<long long>(plots.count(plot::PlotOutcome::Status::written)),
                    static_cast<long long>(plots.count(plot::PlotOutcome::Status::unchanged)),
                    static_cast<long long>(plots.count(plot::PlotOutcome::Status::failed)));
        if (plots.exit_code() != 0) {
            status = ExitCode::partial;
        }
    }

    if (!no_score && !map_names.empty() && !run_scores(work, map_names, seed, jobs)) {
        status = ExitCode::partial;
    }

    const pipeline::ReportResult report = pipeline::write_report(work);
    std::printf("\n%zu maps (%d failed). Open the report: %s\n", map_names.size(), failed_maps,
                report.path.string().c_str());
    // The binary that runs, so that the printed command works without uadscope on PATH.
    std::error_code error;
    const std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", error);
    std::printf("Explore in the browser: %s serve %s --open\n",
                error ? "uadscope" : binary.string().c_str(), work.c_str());
    return static_cast<int>(status);
}

const CommandRegistration registration(
    {"run", "Run index, features, map, plot, score and report in one go", 5, run_run});

}  // namespace
}  // namespace uadscope::cli
