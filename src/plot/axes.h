#pragma once

// Panels: the mapping from map coordinates to raster pixels, and the axis frame with ticks.
//
// A panel keeps the map's aspect ratio (one unit of x is as long as one unit of y), because
// UMAP distances mean the same in both directions. It centres the data in the panel with a
// margin, so every point lies inside the panel rectangle.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "plot/canvas.h"

namespace uadscope::plot {

// Fraction of the panel's width and height left free on each side of the data.
inline constexpr double default_panel_margin = 0.04;

struct DataBounds {
    double x_min = -1;
    double x_max = 1;
    double y_min = -1;
    double y_max = 1;
};

// Bounds of `embedding` ([points, 2] row-major); [-1, 1] x [-1, 1] when it is empty. A
// zero extent (one point, or all points equal) is widened to 2 around the value, so that
// the scale stays finite.
DataBounds data_bounds(std::span<const float> embedding);

class PanelTransform {
  public:
    PanelTransform() = default;
    PanelTransform(const DataBounds& bounds, PixelRect panel, double margin = default_panel_margin);

    const PixelRect& panel() const { return panel_; }
    // Raster pixels from the panel's top-left corner; y grows upwards in the map and
    // downwards on the page.
    double x_pixel(double x) const { return offset_x_ + scale_ * x; }
    double y_pixel(double y) const { return offset_y_ - scale_ * y; }
    double x_data(double pixel) const { return (pixel - offset_x_) / scale_; }
    double y_data(double pixel) const { return (offset_y_ - pixel) / scale_; }
    // Pixels per map unit.
    double scale() const { return scale_; }

  private:
    PixelRect panel_;
    double scale_ = 1;
    double offset_x_ = 0;
    double offset_y_ = 0;
};

// About `target` tick values at multiples of 1, 2 or 5 times a power of ten within
// [low, high]; empty when the range is not finite or empty.
std::vector<double> nice_ticks(double low, double high, int target);
// Formats a tick value with the decimals its step needs ("-0" becomes "0").
std::string format_tick(double value, double step);

struct AxisLabels {
    bool x_ticks = true;  // tick labels below the panel
    bool y_ticks = true;  // tick labels left of the panel
    std::string x_title;  // empty for none
    std::string y_title;
};

// Space the tick labels and axis titles take outside the panel, in points.
inline constexpr double axis_label_space_left = 34;
inline constexpr double axis_label_space_bottom = 28;

// Draws the frame of the panel, outward ticks on the bottom and left edges, tick labels
// and axis titles.
void draw_axes(Canvas& canvas, const PanelTransform& transform, const AxisLabels& labels);

// Writes `text` in the middle of the panel, for an empty plot or a missing layer.
void draw_panel_note(Canvas& canvas, const PixelRect& panel, const std::string& text);

}  // namespace uadscope::plot
