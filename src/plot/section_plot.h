#pragma once

// The section plot: the points of one section, coloured by file (Tableau 10, repeating
// every 10 files), with a cross at the mean position of the frames that follow the
// lowest-energy ones.
//
// Log-spectral frames form a cone whose tip holds the quietest frames (Fernandez and
// Plumbley, DCASE Workshop 2021). The cross marks the region just past that tip: sort the
// section's points by energy, skip the `exclude` lowest, average the positions of the next
// `average`. Imported embeddings have no energy, so their section plots have no cross.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>

#include "plot/figure.h"
#include "plot/plot_input.h"

namespace uadscope::plot {

// Figure size of the section plot, in inches.
inline constexpr double section_plot_width = 8.5;
inline constexpr double section_plot_height = 6.5;

struct SectionCross {
    double x = 0;  // map coordinates of the mean position
    double y = 0;
    std::int64_t excluded = 0;  // lowest-energy points skipped
    std::int64_t averaged = 0;  // points averaged
};

// The cross over `points` (indices into `embedding` [points, 2] and `energy` [points]).
// Points are ranked by ascending energy, ties by index. With fewer than exclude + average
// points, both counts shrink in proportion: excluded = floor(count * exclude /
// (exclude + average)) and averaged = count - excluded. Returns nothing for no points.
std::optional<SectionCross> section_cross(std::span<const float> embedding,
                                          std::span<const float> energy,
                                          std::span<const std::uint32_t> points,
                                          std::int64_t exclude, std::int64_t average);

// Writes the section plot of `section` to `output` (.png or .svg) atomically. External
// points are not part of a section and are not drawn. The axes span the section's own
// points.
PlotLayout write_section_plot(const PlotInput& input, const SectionKey& section,
                              const PlotOptions& options, const std::filesystem::path& output);

}  // namespace uadscope::plot
