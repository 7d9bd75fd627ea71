#pragma once

// The global plot: every point of a map, coloured by device (one hue each), shaded by
// section (lighter and darker versions of the hue), with external datasets in grey behind
// everything.

#include <filesystem>

#include "plot/figure.h"
#include "plot/plot_input.h"

namespace uadscope::plot {

// Figure size of the global plot, in inches.
inline constexpr double global_plot_width = 9;
inline constexpr double global_plot_height = 7;

// Writes the global plot of `input` to `output` (.png or .svg) atomically. Throws Error for
// invalid input (see PlotInput::validate) and UsageError for invalid options.
PlotLayout write_global_plot(const PlotInput& input, const PlotOptions& options,
                             const std::filesystem::path& output);

}  // namespace uadscope::plot
