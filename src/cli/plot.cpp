// `uadscope plot WORK`: draws the global, device and section plots of the workspace's maps.

#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/error.h"
#include "plot/workspace_plots.h"

namespace uadscope::cli {
namespace {

int run_plot(int argc, char** argv) {
    CLI::App app{
        "Draw the plots of the maps in WORK/maps as WORK/plots/<map>_{global,device,section-NN}."
        "{png,svg}: global maps get the global plot, device maps the device plot and one "
        "section plot per section (see docs/plots.md)"};
    plot::WorkspacePlotOptions options;
    std::string work;
    std::vector<std::string> maps;
    bool all = false;
    std::string kind = "all";
    std::string formats = "png,svg";
    app.add_option("WORK", work, "Workspace folder")->required();
    app.add_option("--map", maps,
                   "Map to plot, as the file name under WORK/maps without .h5 (repeatable)");
    app.add_flag("--all", all, "Plot every map (the default without --map)");
    app.add_option("--kind", kind, "Plots to draw: global, device, section or all")
        ->capture_default_str();
    app.add_option("--format", formats, "Image formats, comma-separated: png, svg")
        ->capture_default_str();
    app.add_option("--dpi", options.plot.dpi, "PNG resolution in pixels per inch (10 to 1200)")
        ->capture_default_str();
    app.add_option("--cross-exclude", options.plot.cross_exclude,
                   "Section plot cross: lowest-energy points skipped (scaled down for small "
                   "sections)")
        ->capture_default_str();
    app.add_option("--cross-average", options.plot.cross_average,
                   "Section plot cross: points averaged after the skipped ones")
        ->capture_default_str();
    app.add_option("--seed", options.plot.seed, "Seed of the draw-order shuffle")
        ->capture_default_str();
    app.add_option("--svg-max-vector-points", options.plot.svg_max_vector_points,
                   "SVG files draw up to this many points as paths and embed the point layer "
                   "as a PNG image beyond it")
        ->capture_default_str();
    app.add_option("-j,--jobs", options.plot.threads, "Threads drawing points (0: one per core)")
        ->capture_default_str();
    app.add_flag("--force", options.force, "Draw every plot even when its inputs are unchanged");
    if (const auto code = parse_arguments(app, argc, argv)) {
        return *code;
    }
    if (all && !maps.empty()) {
        throw UsageError("give either --map or --all, not both");
    }
    options.maps = maps;
    options.kinds = plot::parse_plot_kind(kind);
    options.formats.clear();
    std::set<plot::ImageFormat> seen;
    std::stringstream list(formats);
    std::string format;
    while (std::getline(list, format, ',')) {
        const plot::ImageFormat parsed = plot::parse_image_format(format);
        if (seen.insert(parsed).second) {
            options.formats.push_back(parsed);
        }
    }

    const plot::WorkspacePlotResult result = plot::plot_workspace(work, options);
    for (const auto& outcome : result.outcomes) {
        if (outcome.status == plot::PlotOutcome::Status::failed) {
            std::fprintf(stderr, "failed: %s: %s\n", outcome.path.string().c_str(),
                         outcome.error.c_str());
        }
    }
    std::printf("plots: %lld written, %lld unchanged, %lld failed\n",
                static_cast<long long>(result.count(plot::PlotOutcome::Status::written)),
                static_cast<long long>(result.count(plot::PlotOutcome::Status::unchanged)),
                static_cast<long long>(result.count(plot::PlotOutcome::Status::failed)));
    return result.exit_code();
}

const CommandRegistration registration(
    {"plot", "Draw the global, device and section plots of the workspace's maps", 40, run_plot});

}  // namespace
}  // namespace uadscope::cli
