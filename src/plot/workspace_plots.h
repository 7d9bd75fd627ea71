#pragma once

// `uadscope plot`: draws the plots of the map files of a workspace.
//
// For each WORK/maps/<name>.h5 it joins the map with WORK/manifest.csv (and, for section
// plots, the frame energy of WORK/features/<rep>.h5) and writes
// WORK/plots/<name>_{global,device,section-NN}.{png,svg}. Which plots a map gets follows
// its scope attribute:
//   global    the global plot
//   device    the device plot and one section plot per section
//   section   the device plot (normal and anomalous test data of that section) and the
//             section plot
// A map without a scope attribute counts as global when it holds several devices.
// WORK/plots/.stamps.json keeps a fingerprint of each plot's inputs and options; a plot
// whose file exists with the same fingerprint is not drawn again.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dataset/manifest.h"
#include "plot/canvas.h"
#include "plot/plot_input.h"

namespace uadscope::plot {

enum class PlotKind { global, device, section };

// Parses "global", "device", "section" or "all" (every kind); throws UsageError otherwise.
std::vector<PlotKind> parse_plot_kind(const std::string& text);

struct WorkspacePlotOptions {
    // Map names (file stems under WORK/maps, ".h5" optional); empty plots every map.
    std::vector<std::string> maps;
    std::vector<PlotKind> kinds = {PlotKind::global, PlotKind::device, PlotKind::section};
    std::vector<ImageFormat> formats = {ImageFormat::png, ImageFormat::svg};
    PlotOptions plot;
    // Draw every plot even when its fingerprint is unchanged.
    bool force = false;
};

struct PlotOutcome {
    enum class Status { written, unchanged, failed };
    std::filesystem::path path;  // the plot file, or the map file for a map that failed
    Status status = Status::written;
    std::string error;  // why it failed
};

struct WorkspacePlotResult {
    std::vector<PlotOutcome> outcomes;

    std::int64_t count(PlotOutcome::Status status) const;
    // ExitCode::ok without failures, ExitCode::partial when some plots failed and others
    // were drawn or unchanged, ExitCode::failure when all failed.
    int exit_code() const;
};

// Draws the requested plots. Throws Error when the manifest is missing or no map matches;
// a map or plot that fails is logged, reported in the result and does not stop the others.
WorkspacePlotResult plot_workspace(const std::filesystem::path& work,
                                   const WorkspacePlotOptions& options);

// Joins a map file with the manifest. With `features` (a features/<rep>.h5 file of this
// manifest), each point gets the mean frame energy of its stack; a file whose energy is all
// zero (an imported embedding) gives no energy. Throws Error naming the file for a map that
// does not fit the manifest or the features file.
PlotInput load_plot_input(const std::filesystem::path& map_path, const dataset::Manifest& manifest,
                          const std::optional<std::filesystem::path>& features);

}  // namespace uadscope::plot
