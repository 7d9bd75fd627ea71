#include "plot/score_plot.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "plot/palette.h"
#include "plot/point_layer.h"

namespace uadscope::plot {

namespace {

enum Layer : std::uint64_t { background_layer = 0, scored_layer = 1 };

// Scored points get one of this many viridis colours.
constexpr int colour_levels = 256;
constexpr double colour_bar_width = 11;       // points
constexpr double colour_bar_height = 160;     // points, with its label above
constexpr double colour_bar_legend_gap = 34;  // points: the label above the bar, then a gap

void draw_colour_bar(Canvas& canvas, double x, double y, double height, double low, double high,
                     const std::string& label) {
    cairo_t* cr = canvas.context();
    canvas.text(x, y, label, {8, true, ink_colour()}, HAlign::left, VAlign::top);
    const double top = y + 16;
    cairo_pattern_t* gradient = cairo_pattern_create_linear(0, top + height, 0, top);
    for (int stop = 0; stop <= 32; ++stop) {
        const double t = stop / 32.0;
        const Rgb colour = viridis(t);
        cairo_pattern_add_color_stop_rgb(gradient, t, colour.r, colour.g, colour.b);
    }
    cairo_rectangle(cr, x, top, colour_bar_width, height);
    cairo_set_source(cr, gradient);
    cairo_fill(cr);
    cairo_pattern_destroy(gradient);
    canvas.stroke_rect({x, top, colour_bar_width, height}, ink_colour(), 0.6);

    const auto ticks = nice_ticks(low, high, 5);
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
    for (const double tick : ticks) {
        const double ty = top + height - (tick - low) / (high - low) * height;
        canvas.line(x + colour_bar_width, ty, x + colour_bar_width + 3, ty, ink_colour(), 0.6);
        canvas.text(x + colour_bar_width + 5, ty, format_tick(tick, step), {7, false, ink_colour()},
                    HAlign::left, VAlign::middle);
    }
}

}  // namespace

PlotLayout write_score_plot(const PlotInput& input, std::span<const float> scores,
                            const ScorePlotSpec& spec, const PlotOptions& options,
                            const std::filesystem::path& output) {
    options.validate();
    input.validate();
    const std::size_t n = input.points();
    if (scores.size() != n) {
        throw Error("score plot of map '" + input.map.name + "': " + std::to_string(scores.size()) +
                    " scores for " + std::to_string(n) +
                    " points; give one score per point (NaN for none)");
    }
    double low = std::numeric_limits<double>::infinity();
    double high = -low;
    std::int64_t scored = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isinf(scores[i])) {
            throw Error("score plot of map '" + input.map.name + "': point " + std::to_string(i) +
                        " has an infinite score; use NaN for a point without a score");
        }
        if (!std::isnan(scores[i])) {
            low = std::min<double>(low, scores[i]);
            high = std::max<double>(high, scores[i]);
            ++scored;
        }
    }
    if (scored == 0) {
        low = 0;
        high = 1;
    } else if (high <= low) {
        low -= 0.5;
        high += 0.5;
    }

    Legend legend;
    legend.add_header("Points");
    legend.add_entry({Marker::circle, 3, {viridis(0.5), 1}}, "scored", format_count(scored));
    legend.add_entry({Marker::circle, 3, {external_greys(1)[0], 1}}, "no score or external",
                     format_count(static_cast<std::int64_t>(n) - scored));
    legend.add_entry({Marker::triangle, 3, {ink_colour(), 1}}, "test anomaly");
    legend.add_entry({Marker::circle, 3, {ink_colour(), 1}}, "any other point");
    legend.add_gap();
    legend.add_note(
        "Colour range: lowest to highest score. Draw order: unscored points "
        "behind, scored points shuffled (seed " +
        std::to_string(options.seed) + ").");
    const DataBounds bounds = data_bounds(input.embedding);
    const PagePlan plan = plan_page(score_plot_width, score_plot_height, 1, false, bounds, legend,
                                    130, colour_bar_height + colour_bar_legend_gap);
    const PageLayout& page = plan.page;
    const Rect& frame = plan.frames[0];
    Canvas canvas = make_canvas(output, score_plot_width, plan.height_inches, options);

    const PixelRect panel = canvas.to_pixels(frame);
    const PanelTransform transform(bounds, panel);
    const double panel_area = frame.width * frame.height;
    const double radius = point_radius(n, panel_area);
    const double alpha = std::max(0.5, point_alpha(n));
    PointLayer layer(panel);
    const std::uint16_t grey_circle =
        layer.add_style({Marker::circle, radius, {external_greys(1)[0], alpha}});
    const std::uint16_t grey_triangle =
        layer.add_style({Marker::triangle, radius, {external_greys(1)[0], alpha}});
    std::vector<std::uint16_t> circle_styles;
    std::vector<std::uint16_t> triangle_styles;
    for (int level = 0; level < colour_levels; ++level) {
        const Rgb colour = viridis(level / double(colour_levels - 1));
        circle_styles.push_back(layer.add_style({Marker::circle, radius, {colour, alpha}}));
        triangle_styles.push_back(layer.add_style({Marker::triangle, radius, {colour, alpha}}));
    }

    std::vector<std::uint32_t> background;
    std::vector<std::uint32_t> foreground;
    for (std::size_t i = 0; i < n; ++i) {
        const bool unscored = std::isnan(scores[i]) || input.file_of(i).external;
        (unscored ? background : foreground).push_back(static_cast<std::uint32_t>(i));
    }
    shuffle_layer(background, options.seed, background_layer);
    shuffle_layer(foreground, options.seed, scored_layer);
    auto is_anomaly = [&](std::uint32_t i) {
        const FileInfo& info = input.file_of(i);
        return info.split == dataset::Split::test && info.label == dataset::Label::anomaly;
    };
    for (const std::uint32_t i : background) {
        layer.add(transform.x_pixel(input.embedding[2 * i]),
                  transform.y_pixel(input.embedding[2 * i + 1]),
                  is_anomaly(i) ? grey_triangle : grey_circle);
    }
    for (const std::uint32_t i : foreground) {
        const double t = (scores[i] - low) / (high - low);
        const auto level = static_cast<std::size_t>(
            std::clamp(std::lround(t * (colour_levels - 1)), 0L, long{colour_levels - 1}));
        layer.add(transform.x_pixel(input.embedding[2 * i]),
                  transform.y_pixel(input.embedding[2 * i + 1]),
                  is_anomaly(i) ? triangle_styles[level] : circle_styles[level]);
    }
    const bool vector = use_vector_points(canvas, layer.size(), options);
    layer.draw(canvas, vector, options.threads);
    if (n == 0) {
        draw_panel_note(canvas, panel, "No points in this map");
    }
    draw_axes(canvas, transform, {true, true, "UMAP 1", "UMAP 2"});

    std::string subtitle =
        "scope " + (input.map.scope.empty() ? std::string("?") : input.map.scope) + "  \u00b7  " +
        format_count(static_cast<std::int64_t>(n)) + " points, " + format_count(scored) + " scored";
    if (input.map.seed) {
        subtitle += "  \u00b7  UMAP seed " + std::to_string(*input.map.seed);
    }
    subtitle += "  \u00b7  draw-order seed " + std::to_string(options.seed);
    draw_title(
        canvas, page.title,
        (spec.title.empty() ? std::string("Scores") : spec.title) + ": " + describe_map(input.map),
        subtitle);
    draw_colour_bar(canvas, page.legend.x, page.legend.y, colour_bar_height, low, high,
                    spec.score_name);
    const double legend_top = page.legend.y + colour_bar_height + colour_bar_legend_gap;
    const Rect legend_area = draw_legend(
        canvas, legend,
        {page.legend.x, legend_top, page.legend.width, page.legend.bottom() - legend_top});

    PlotLayout layout;
    layout.width_pixels = canvas.width_pixels();
    layout.height_pixels = canvas.height_pixels();
    layout.title = canvas.to_pixels(page.title);
    layout.panels = {transform};
    layout.legend = canvas.to_pixels(
        {page.legend.x, page.legend.y, page.legend.width, legend_area.bottom() - page.legend.y});
    layout.drawn_points = static_cast<std::int64_t>(layer.size());
    layout.raster_points = !vector && layer.size() > 0;
    write_canvas(canvas, output);
    return layout;
}

}  // namespace uadscope::plot
