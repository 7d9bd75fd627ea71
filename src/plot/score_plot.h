#pragma once

// The score plot: every point coloured by a continuous value, such as a detector's anomaly
// score, on the viridis colormap with a colour bar. Points without a value (NaN) and
// external data are grey and drawn behind; test anomalies are triangles, every other
// point a circle.

#include <filesystem>
#include <span>
#include <string>

#include "plot/figure.h"
#include "plot/plot_input.h"

namespace uadscope::plot {

inline constexpr double score_plot_width = 8.5;
inline constexpr double score_plot_height = 6.5;

struct ScorePlotSpec {
    std::string score_name = "score";  // colour bar label, e.g. "kNN anomaly score"
    std::string title;                 // what was scored; empty gives "Scores"
};

// Writes the score plot to `output` (.png or .svg) atomically. `scores` has one value per
// point; NaN marks a point without a value. The colour range spans the finite values.
// Throws Error when the sizes differ or a value is infinite.
PlotLayout write_score_plot(const PlotInput& input, std::span<const float> scores,
                            const ScorePlotSpec& spec, const PlotOptions& options,
                            const std::filesystem::path& output);

}  // namespace uadscope::plot
