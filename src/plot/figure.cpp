#include "plot/figure.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <span>

#include "core/atomic_file.h"
#include "plot/palette.h"

namespace uadscope::plot {

namespace {

// Page margins in points.
constexpr double outer_margin = 10;
constexpr double legend_gap = 18;  // between the last panel and the legend

}  // namespace

std::string format_count(std::int64_t count) {
    std::string digits = std::to_string(count < 0 ? -count : count);
    std::string result;
    const std::size_t first_group = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
    result.append(digits, 0, first_group);
    for (std::size_t i = first_group; i < digits.size(); i += 3) {
        result += ',';
        result.append(digits, i, 3);
    }
    return count < 0 ? "-" + result : result;
}

std::string display_rep(std::string_view rep) {
    std::string folded;
    for (const char c : rep) {
        if (c != '-' && c != '_') {
            folded += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    if (folded == "logmel") {
        return "log-mel";
    }
    if (folded == "logstft" || folded == "stft") {
        return "log-STFT";
    }
    if (folded == "openl3") {
        return "OpenL3";
    }
    return std::string(rep);
}

std::string describe_map(const MapInfo& map) {
    std::string text = map.rep.empty() ? std::string("map") : display_rep(map.rep);
    text += ", stack " + std::to_string(map.stack);
    return text;
}

std::string section_label(int section) {
    if (section < 0) {
        return "no section";
    }
    return fmt::format("section {:02d}", section);
}

double point_radius(std::size_t points, double panel_area) {
    if (points == 0) {
        return 2.6;
    }
    const double radius =
        std::sqrt(0.25 * panel_area / (std::numbers::pi * static_cast<double>(points)));
    return std::clamp(radius, 0.45, 2.6);
}

double point_alpha(std::size_t points) {
    if (points == 0) {
        return 0.85;
    }
    return std::clamp(0.85 * std::sqrt(5000.0 / static_cast<double>(points)), 0.2, 0.85);
}

void shuffle_layer(std::vector<std::uint32_t>& indices, std::uint64_t seed, std::uint64_t layer) {
    Rng rng = Rng(seed).fork(layer);
    rng.shuffle(std::span<std::uint32_t>(indices));
}

PageLayout layout_page(double page_width, double page_height, int panel_count, double legend_width,
                       bool panel_titles) {
    PageLayout page;
    page.title = {outer_margin, outer_margin / 2, page_width - 2 * outer_margin,
                  title_block_height};
    const double top =
        outer_margin / 2 + title_block_height + (panel_titles ? panel_title_height : 0);
    const double bottom = page_height - outer_margin - axis_label_space_bottom;
    const double left = outer_margin + axis_label_space_left + 4;
    const double legend_space = legend_width > 0 ? legend_gap + legend_width : 0;
    const double right = page_width - outer_margin - legend_space;
    const int count = std::max(1, panel_count);
    const double panel_width = std::max(10.0, (right - left - panel_gap * (count - 1)) / count);
    const double panel_height = std::max(10.0, bottom - top);
    for (int i = 0; i < count; ++i) {
        page.panels.push_back(
            {left + i * (panel_width + panel_gap), top, panel_width, panel_height});
    }
    page.legend = {right + legend_gap, top, legend_width, panel_height};
    return page;
}

Rect fit_panel_to_bounds(const Rect& area, const DataBounds& bounds) {
    constexpr double min_fraction = 0.25;
    const double data_aspect = (bounds.x_max - bounds.x_min) / (bounds.y_max - bounds.y_min);
    const double area_aspect = area.width / area.height;
    Rect fitted = area;
    if (data_aspect > area_aspect) {
        fitted.height = std::max(min_fraction * area.height, area.width / data_aspect);
    } else {
        fitted.width = std::max(min_fraction * area.width, area.height * data_aspect);
    }
    return fitted;
}

Rect draw_legend(Canvas& canvas, const Legend& legend, const Rect& area) {
    const double natural = legend.height(canvas, area.width);
    const double scale =
        natural > area.height && natural > 0 ? std::max(0.6, area.height / natural) : 1.0;
    cairo_t* cr = canvas.context();
    cairo_save(cr);
    cairo_translate(cr, area.x, area.y);
    cairo_scale(cr, scale, scale);
    legend.draw(canvas, 0, 0, area.width / scale);
    cairo_restore(cr);
    return {area.x, area.y, area.width, natural * scale};
}

PagePlan plan_page(double width_inches, double height_inches, int panel_count, bool panel_titles,
                   const DataBounds& bounds, const Legend& legend, double min_legend_width,
                   double legend_offset) {
    // Text metrics come from a scratch page; Canvas turns hinted metrics off, so they do
    // not depend on the dpi.
    Canvas measure(ImageFormat::png, width_inches, height_inches, 10);
    const double legend_width =
        std::max(min_legend_width, legend.natural_width(measure, max_legend_width));

    PagePlan plan;
    plan.page =
        layout_page(measure.width(), measure.height(), panel_count, legend_width, panel_titles);
    const Rect first = fit_panel_to_bounds(plan.page.panels[0], bounds);
    for (int i = 0; i < panel_count; ++i) {
        Rect frame = first;
        frame.x += i * (first.width + panel_gap);
        plan.frames.push_back(frame);
    }

    // The legend follows the last frame when the frames got narrower than their area.
    plan.page.legend.x = plan.frames.back().right() + legend_gap;

    const double legend_area = plan.page.legend.height - legend_offset;
    const double natural = legend.height(measure, legend_width);
    const double scale =
        natural > legend_area && natural > 0 ? std::max(0.6, legend_area / natural) : 1.0;
    const double content_bottom =
        std::max(first.bottom() + axis_label_space_bottom + outer_margin,
                 plan.page.legend.y + legend_offset + natural * scale + outer_margin);
    plan.height_inches = std::min(height_inches, content_bottom / 72.0);
    return plan;
}

void draw_title(Canvas& canvas, const Rect& block, const std::string& title,
                const std::string& subtitle) {
    canvas.text(block.x, block.y + 6, title, {11, true, ink_colour()}, HAlign::left, VAlign::top);
    canvas.text(block.x, block.y + 23, subtitle, {7.5, false, muted_ink_colour()}, HAlign::left,
                VAlign::top);
}

void draw_panel_title(Canvas& canvas, const Rect& panel, const std::string& title) {
    canvas.text(panel.x + panel.width / 2, panel.y - 4, title, {9, true, ink_colour()},
                HAlign::centre, VAlign::bottom);
}

bool use_vector_points(const Canvas& canvas, std::size_t markers, const PlotOptions& options) {
    return canvas.format() == ImageFormat::svg &&
           static_cast<std::int64_t>(markers) <= options.svg_max_vector_points;
}

Canvas make_canvas(const std::filesystem::path& output, double width_inches, double height_inches,
                   const PlotOptions& options) {
    return Canvas(image_format_of(output), width_inches, height_inches, options.dpi);
}

void write_canvas(Canvas& canvas, const std::filesystem::path& output) {
    write_file_atomic(output, canvas.encode());
}

}  // namespace uadscope::plot
