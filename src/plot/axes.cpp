#include "plot/axes.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "plot/palette.h"

namespace uadscope::plot {

namespace {

constexpr double frame_width = 0.8;  // points
constexpr double tick_length = 3.5;  // points
constexpr double tick_font_size = 7;
constexpr double axis_title_font_size = 8;

}  // namespace

DataBounds data_bounds(std::span<const float> embedding) {
    const std::size_t points = embedding.size() / 2;
    if (points == 0) {
        return {};
    }
    double x_min = std::numeric_limits<double>::infinity();
    double x_max = -x_min;
    double y_min = x_min;
    double y_max = -x_min;
    for (std::size_t i = 0; i < points; ++i) {
        const double x = embedding[2 * i];
        const double y = embedding[2 * i + 1];
        x_min = std::min(x_min, x);
        x_max = std::max(x_max, x);
        y_min = std::min(y_min, y);
        y_max = std::max(y_max, y);
    }
    if (x_max - x_min <= 0) {
        x_min -= 1;
        x_max += 1;
    }
    if (y_max - y_min <= 0) {
        y_min -= 1;
        y_max += 1;
    }
    return {x_min, x_max, y_min, y_max};
}

PanelTransform::PanelTransform(const DataBounds& bounds, PixelRect panel, double margin)
    : panel_(panel) {
    const double usable_width = std::max(1.0, panel.width * (1 - 2 * margin));
    const double usable_height = std::max(1.0, panel.height * (1 - 2 * margin));
    const double x_span = bounds.x_max - bounds.x_min;
    const double y_span = bounds.y_max - bounds.y_min;
    scale_ = std::min(usable_width / x_span, usable_height / y_span);
    const double x_centre = 0.5 * (bounds.x_min + bounds.x_max);
    const double y_centre = 0.5 * (bounds.y_min + bounds.y_max);
    offset_x_ = 0.5 * panel.width - scale_ * x_centre;
    offset_y_ = 0.5 * panel.height + scale_ * y_centre;
}

std::vector<double> nice_ticks(double low, double high, int target) {
    if (!std::isfinite(low) || !std::isfinite(high) || !(high > low) || target < 1) {
        return {};
    }
    const double rough = (high - low) / target;
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    // The step of 1, 2, 5 or 10 times the magnitude whose tick count is nearest the target.
    double step = magnitude;
    double best = std::numeric_limits<double>::infinity();
    for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
        const double miss = std::abs((high - low) / (factor * magnitude) - target);
        if (miss < best) {
            best = miss;
            step = factor * magnitude;
        }
    }
    std::vector<double> ticks;
    const double first = std::ceil(low / step - 1e-9);
    for (double k = first; k * step <= high + 1e-9 * step; k += 1) {
        ticks.push_back(k * step);
    }
    return ticks;
}

std::string format_tick(double value, double step) {
    const int decimals =
        step > 0 ? std::clamp(static_cast<int>(std::ceil(-std::log10(step) - 1e-9)), 0, 8) : 0;
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    std::string result = text;
    if (result.find_first_not_of("-0.") == std::string::npos && result.front() == '-') {
        result.erase(0, 1);
    }
    // A real minus sign, as typeset figures use.
    if (!result.empty() && result.front() == '-') {
        result.replace(0, 1, "\u2212");
    }
    return result;
}

void draw_axes(Canvas& canvas, const PanelTransform& transform, const AxisLabels& labels) {
    const PixelRect& panel = transform.panel();
    const Rect frame = canvas.to_points(panel);
    const double points_per_pixel = 1.0 / canvas.pixels_per_point();
    const Rgb ink = ink_colour();
    const TextStyle tick_style{tick_font_size, false, ink};

    // X ticks.
    const auto x_ticks = nice_ticks(transform.x_data(0), transform.x_data(panel.width), 6);
    const double x_step = x_ticks.size() > 1 ? x_ticks[1] - x_ticks[0] : 1;
    for (const double tick : x_ticks) {
        const double x = frame.x + transform.x_pixel(tick) * points_per_pixel;
        canvas.line(x, frame.bottom(), x, frame.bottom() + tick_length, ink, frame_width);
        if (labels.x_ticks) {
            canvas.text(x, frame.bottom() + tick_length + 1.5, format_tick(tick, x_step),
                        tick_style, HAlign::centre, VAlign::top);
        }
    }

    // Y ticks.
    const auto y_ticks = nice_ticks(transform.y_data(panel.height), transform.y_data(0), 6);
    const double y_step = y_ticks.size() > 1 ? y_ticks[1] - y_ticks[0] : 1;
    for (const double tick : y_ticks) {
        const double y = frame.y + transform.y_pixel(tick) * points_per_pixel;
        canvas.line(frame.x - tick_length, y, frame.x, y, ink, frame_width);
        if (labels.y_ticks) {
            canvas.text(frame.x - tick_length - 2, y, format_tick(tick, y_step), tick_style,
                        HAlign::right, VAlign::middle);
        }
    }

    canvas.stroke_rect(frame, ink, frame_width);

    const TextStyle title_style{axis_title_font_size, false, ink};
    if (!labels.x_title.empty()) {
        canvas.text(frame.x + frame.width / 2, frame.bottom() + axis_label_space_bottom,
                    labels.x_title, title_style, HAlign::centre, VAlign::bottom);
    }
    if (!labels.y_title.empty()) {
        canvas.text(frame.x - axis_label_space_left, frame.y + frame.height / 2, labels.y_title,
                    title_style, HAlign::centre, VAlign::top, 90);
    }
}

void draw_panel_note(Canvas& canvas, const PixelRect& panel, const std::string& text) {
    const Rect frame = canvas.to_points(panel);
    canvas.text(frame.x + frame.width / 2, frame.y + frame.height / 2, text,
                {9, false, muted_ink_colour()}, HAlign::centre, VAlign::middle);
}

}  // namespace uadscope::plot
