#pragma once

// Scatter points of one panel, drawn in the order added and clipped to the panel.
//
// Two renderers give the same picture: vector paths through cairo (one path per point,
// for small SVG files) and a raster renderer that stamps a pre-rendered, antialiased
// sprite per marker style into an ARGB32 layer at the canvas dpi. Stamping is what makes
// a million points take well under a second; the layer is then painted onto the page, or
// embedded into the SVG as one PNG image.

#include <cairo.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "plot/canvas.h"
#include "plot/color.h"

namespace uadscope::plot {

enum class Marker { circle, triangle, square, cross };

struct MarkerStyle {
    Marker marker = Marker::circle;
    double radius = 1.5;  // points; the circumradius for triangle, square and cross
    Rgba colour;
};

// Adds the outline of `marker` centred at (x, y) with `radius` to the current path of
// `cr`, in its user units. A cross is two strokes; the others are closed shapes to fill.
void marker_path(cairo_t* cr, Marker marker, double x, double y, double radius);
// Draws one marker: fills circle, triangle and square, strokes a cross.
void draw_marker(cairo_t* cr, const MarkerStyle& style, double x, double y);

class PointLayer {
  public:
    // `panel` is the raster rectangle that the points are clipped to.
    explicit PointLayer(PixelRect panel);

    // Registers a style and returns its id for add(); at most 65536 styles.
    std::uint16_t add_style(const MarkerStyle& style);
    // Appends a point at (x, y) raster pixels from the panel's top-left corner.
    void add(double x, double y, std::uint16_t style);

    std::size_t size() const { return styles_.size(); }
    const PixelRect& panel() const { return panel_; }

    // Draws every point in order. `vector` selects cairo paths; otherwise the points are
    // rasterised on `threads` threads (0: all cores) and painted as one image.
    void draw(Canvas& canvas, bool vector, int threads) const;

  private:
    void draw_vector(Canvas& canvas) const;
    void draw_raster(Canvas& canvas, int threads) const;

    PixelRect panel_;
    std::vector<MarkerStyle> style_table_;
    std::vector<float> x_;
    std::vector<float> y_;
    std::vector<std::uint16_t> styles_;
};

}  // namespace uadscope::plot
