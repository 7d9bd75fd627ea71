// `uadscope run DATASET... -o WORK`: index, features, maps, plots and report in one command.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/error.h"
#include "pipeline/features_stage.h"
#include "pipeline/index_stage.h"
#include "pipeline/map_stage.h"
#include "pipeline/report.h"
#include "plot/workspace_plots.h"

namespace uadscope::cli {
namespace {

int run_run(int argc, char** argv) {
    CLI::App app{
        "Run every stage on datasets: index, features, map, plot and report. Defaults mirror "
        "the 2021 paper: log-STFT and log-mel, stacks 1 and 5, one map per device and one "
        "global map, seed 0. Stages whose inputs are unchanged do no work."};
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
    app.add_option("--max-train", max_train,
                   "Vectors kept per training group; 0 keeps all [default: 10000 per device "
                   "map group, 1000 per global map group]");
    app.add_option("--max-test", max_test,
                   "Vectors kept per test group; 0 keeps all [default: 20000 per device map "
                   "group, 2000 per global map group]");
    app.add_option("--seed", seed, "Seed of sampling, UMAP and plot draw order")
        ->capture_default_str();
    app.add_option("--format", formats, "Plot formats: png, svg or png,svg")->capture_default_str();
    app.add_option("-j,--jobs", jobs, "Threads (0: one per core)")->capture_default_str();
    if (const auto code = parse_arguments(app, argc, argv)) {
        return *code;
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
    std::printf("features: %zu files computed, %zu reused, %zu failed\n", features.computed,
                features.reused, features.failures.size());
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

    const pipeline::ReportResult report = pipeline::write_report(work);
    std::printf("\n%zu maps (%d failed). Open the report: %s\n", map_names.size(), failed_maps,
                report.path.string().c_str());
    std::printf("Explore in the browser: uadscope serve %s --open\n", work.c_str());
    return static_cast<int>(status);
}

const CommandRegistration registration({"run",
                                        "Run index, features, map, plot and report in one go", 5,
                                        run_run});

}  // namespace
}  // namespace uadscope::cli
