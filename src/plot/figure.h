#pragma once

// The parts every plot shares: the page layout (title, panels, legend), marker sizes,
// draw-order shuffling, the returned layout description and atomic output.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.h"
#include "plot/axes.h"
#include "plot/canvas.h"
#include "plot/legend.h"
#include "plot/plot_input.h"

namespace uadscope::plot {

// Positions of a written plot's parts, in raster pixels of the page: PNG pixels, and for SVG
// the same grid at the requested dpi. Tests use it to find points, legend and cross.
struct PlotLayout {
    int width_pixels = 0;
    int height_pixels = 0;
    PixelRect title;
    std::vector<PanelTransform> panels;  // left to right; panel() is the frame rectangle
    PixelRect legend;
    // Page position of the section plot's cross, when one was drawn.
    std::optional<std::array<double, 2>> cross;
    std::int64_t drawn_points = 0;  // markers drawn, over all panels
    bool raster_points = false;     // true when the points were drawn as an image
};

// "1,234,567".
std::string format_count(std::int64_t count);
// Display name of a representation: "logmel" gives "log-mel", "logstft" gives "log-STFT";
// other names are kept.
std::string display_rep(std::string_view rep);
// "log-mel, stack 5" and so on, from the map's attributes.
std::string describe_map(const MapInfo& map);
// "section 00", or "no section" for -1.
std::string section_label(int section);

// Marker radius in points for `points` markers in a panel of `panel_area` square points.
// Spread evenly, the markers would cover about a quarter of the panel. Clamped to
// [0.45, 2.6] points.
double point_radius(std::size_t points, double panel_area);
// Marker opacity for `points` markers: opaque enough for a few thousand, translucent for
// more so that density stays visible; in [0.2, 0.85].
double point_alpha(std::size_t points);

// Shuffles `indices` with a generator derived from `seed` and `layer`, so that within one
// layer no class hides another by draw order alone.
void shuffle_layer(std::vector<std::uint32_t>& indices, std::uint64_t seed, std::uint64_t layer);

// Page layout: a title block on top, `panel_count` panels side by side sharing their
// height, and a legend column of `legend_width` points on the right.
struct PageLayout {
    Rect title;
    std::vector<Rect> panels;
    Rect legend;
};
inline constexpr double title_block_height = 38;  // points
inline constexpr double panel_title_height = 15;  // points, when panels have titles
inline constexpr double panel_gap = 14;           // points between panels
PageLayout layout_page(double page_width, double page_height, int panel_count, double legend_width,
                       bool panel_titles);

// A page planned before drawing, because cairo cannot resize a page once created.
struct PagePlan {
    double height_inches = 0;  // the page height: the nominal one or less
    PageLayout page;           // layout at the nominal height (legend column and so on)
    std::vector<Rect> frames;  // panel frames, fitted to the data's aspect ratio
};

// Plans a page `width_inches` wide with `panel_count` panels side by side that share
// `bounds`, and `legend` (at least `min_legend_width` points wide) starting `legend_offset`
// points below the top of the legend column. Each frame takes the data's aspect ratio, and
// the page height shrinks from `height_inches` to what the frames and the legend need.
PagePlan plan_page(double width_inches, double height_inches, int panel_count, bool panel_titles,
                   const DataBounds& bounds, const Legend& legend, double min_legend_width,
                   double legend_offset = 0);

// Shrinks `area` to the aspect ratio of `bounds`, keeping its top-left corner, so that an
// equal-aspect map fills the frame. Neither side shrinks below 25 % of the area's.
Rect fit_panel_to_bounds(const Rect& area, const DataBounds& bounds);

// Draws `legend` at the top of `area`, scaled down (to no less than 60 %) when it is taller
// than the area, and returns the rectangle it covers.
Rect draw_legend(Canvas& canvas, const Legend& legend, const Rect& area);

// Draws the bold title and the muted subtitle line in the title block.
void draw_title(Canvas& canvas, const Rect& block, const std::string& title,
                const std::string& subtitle);
// Draws a short title centred above a panel.
void draw_panel_title(Canvas& canvas, const Rect& panel, const std::string& title);

// True when the points should be drawn as vector paths: SVG output with at most
// options.svg_max_vector_points markers.
bool use_vector_points(const Canvas& canvas, std::size_t markers, const PlotOptions& options);

// Creates the canvas for `output` (format from its extension).
Canvas make_canvas(const std::filesystem::path& output, double width_inches, double height_inches,
                   const PlotOptions& options);
// Encodes the canvas and writes it to `output` atomically.
void write_canvas(Canvas& canvas, const std::filesystem::path& output);

// Maximum legend width, in points.
inline constexpr double max_legend_width = 200;

}  // namespace uadscope::plot
