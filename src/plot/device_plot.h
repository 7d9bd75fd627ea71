#pragma once

// The device plot: two panels sharing axes, normal test data on the left and anomalous test
// data on the right. Training data appears on both as large translucent "shadows", so one
// sees whether the test points fall on the training data (discriminative support). Source
// and target data get different hue families (blue and vermillion) and test markers
// (circle and triangle); sections are shades of their family. External data is grey and
// drawn behind everything.

#include <filesystem>

#include "plot/figure.h"
#include "plot/plot_input.h"

namespace uadscope::plot {

// Figure size of the device plot, in inches.
inline constexpr double device_plot_width = 12;
inline constexpr double device_plot_height = 6;

// Writes the device plot of `input` to `output` (.png or .svg) atomically. Test points
// without a normal or anomaly label are not drawn; the legend gives their count.
PlotLayout write_device_plot(const PlotInput& input, const PlotOptions& options,
                             const std::filesystem::path& output);

}  // namespace uadscope::plot
