// `uadscope map WORK`: samples, stacks and projects feature vectors with UMAP.

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "core/error.h"
#include "pipeline/map_stage.h"

namespace uadscope::cli {
namespace {

int run_map(int argc, char** argv) {
    CLI::App app{
        "Sample stacked frames of WORK/features/<rep>.h5 per group (device, section, domain, "
        "split, label), project them with UMAP and write WORK/maps/<rep>_s<stack>_<scope>.h5 "
        "with the kNN graph and quality figures; maps whose inputs are unchanged are kept"};
    // CLI11's NonNegativeNumber would print the largest double as the upper limit, and
    // CLI11 converts "-1" to 2^64 - 1 for an unsigned option, so the sign is checked here.
    const CLI::Validator non_negative(
        [](std::string& text) {
            return text.rfind('-', 0) == 0 ? "must be 0 or more, not " + text : std::string();
        },
        "");
    pipeline::MapStageOptions options;
    std::string work;
    std::string scope = "device";
    std::string fit = "joint";
    std::string init = "spectral";
    std::string knn = "automatic";
    app.add_option("WORK", work, "Workspace folder")->required();
    app.add_option("--rep", options.rep, "Representation: log_stft, log_mel or an imported name")
        ->capture_default_str();
    app.add_option("--stack", options.stack, "Consecutive frames per vector (1 to 64)")
        ->capture_default_str();
    app.add_option("--scope", scope,
                   "global (one map of all devices), device (one per device) or section (one "
                   "per device and section)")
        ->capture_default_str();
    app.add_option("--device", options.device, "Only this device (device and section scopes)");
    app.add_option("--section", options.section, "Only this section number (section scope)");
    app.add_option("--max-train", options.max_train,
                   "Vectors kept per training group; 0 keeps all [default: 10000 for device "
                   "and section maps, 1000 for global]")
        ->check(non_negative);
    app.add_option("--max-test", options.max_test,
                   "Vectors kept per test group; 0 keeps all [default: 20000 for device and "
                   "section maps, 2000 for global]")
        ->check(non_negative);
    // CLI11 clamps a number beyond 2^64 - 1 to that value, so the range is checked here.
    const CLI::Validator seed_range(
        [](std::string& text) {
            std::uint64_t value = 0;
            const auto [end, error] =
                std::from_chars(text.data(), text.data() + text.size(), value);
            return error == std::errc() && end == text.data() + text.size()
                       ? std::string()
                       : "must be an integer in [0, 2^64 - 1], not " + text;
        },
        "");
    app.add_option("--seed", options.seed,
                   "Seed of the sampling and of UMAP, an integer in [0, 2^64 - 1]")
        ->capture_default_str()
        ->check(seed_range);
    app.add_option("--fit", fit,
                   "joint: fit on all sampled points; train: fit on training points and place "
                   "the others with transform")
        ->capture_default_str();
    app.add_flag("--external", options.external,
                 "Include external datasets (uadscope index --external) in global and device "
                 "maps");
    app.add_option("--n-neighbors", options.umap.n_neighbors, "UMAP n_neighbors (2 to 1000)")
        ->capture_default_str();
    app.add_option("--min-dist", options.umap.min_dist, "UMAP min_dist (0 to spread)")
        ->capture_default_str();
    app.add_option("--spread", options.umap.spread, "UMAP spread")->capture_default_str();
    app.add_option("--epochs", options.umap.n_epochs,
                   "UMAP epochs; 0 picks 500 up to 10000 points, else 200")
        ->capture_default_str();
    app.add_option("--init", init, "UMAP initialisation: spectral or random")
        ->capture_default_str();
    app.add_option(
           "--knn", knn,
           "kNN search: automatic (exact up to 20000 points; above, k-means lists when they "
           "reach the recall cheaply, else HNSW), exact, clustered or hnsw")
        ->capture_default_str();
    app.add_option("-j,--jobs", options.jobs,
                   "Threads (0: one per core); only --jobs 1 gives bit-identical maps across runs")
        ->capture_default_str();
    app.add_flag("--force", options.force, "Recompute maps even when their inputs are unchanged");
    if (const auto code = parse_arguments(app, argc, argv)) {
        return *code;
    }
    options.scope = pipeline::parse_map_scope(scope);
    options.fit = pipeline::parse_fit_mode(fit);
    // Options that the chosen scope would ignore are rejected, so that a map of every device
    // is never mistaken for the one requested.
    if (!options.device.empty() && options.scope == pipeline::MapScope::global) {
        throw UsageError(fmt::format(
            "--device {} selects a device of device or section maps; add --scope device or "
            "--scope section, or leave --device out for the global map",
            options.device));
    }
    if (options.section >= 0 && options.scope != pipeline::MapScope::section) {
        throw UsageError(fmt::format(
            "--section {} applies to section maps only; add --scope section", options.section));
    }
    if (app.count("--section") > 0 && options.section < 0) {
        throw UsageError(
            fmt::format("--section {} is not a section number; use 0 or more", options.section));
    }
    if (app.count("--jobs") > 0 && options.jobs < 0) {
        throw UsageError(fmt::format(
            "--jobs {} is not a thread count; use 0 (one per core) or more", options.jobs));
    }
    try {
        options.umap.init = umap::parse_init_method(init);
        options.umap.knn.method = neighbors::parse_knn_method(knn);
        umap::validate_options(options.umap);
    } catch (const Error& error) {
        throw UsageError(error.what());
    }

    const auto maps = pipeline::run_map_stage(work, options);
    ExitCode status = ExitCode::ok;
    for (const auto& map : maps) {
        if (!map.error.empty()) {
            std::printf("%-40s failed: %s\n", map.name.c_str(), map.error.c_str());
            status = ExitCode::partial;
            continue;
        }
        std::printf("%-40s %8lld points  trustworthiness %.4f  kNN preservation %.4f%s\n",
                    map.name.c_str(), static_cast<long long>(map.points), map.trustworthiness,
                    map.knn_preservation, map.reused ? "  (unchanged)" : "");
    }
    return static_cast<int>(status);
}

const CommandRegistration registration({"map", "Project stacked frames with UMAP", 30, run_map});

}  // namespace
}  // namespace uadscope::cli
