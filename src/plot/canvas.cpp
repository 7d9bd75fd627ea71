#include "plot/canvas.h"

#include <cairo-svg.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>

#include "core/error.h"

namespace uadscope::plot {

namespace {

// DejaVu Sans ships with Debian's fontconfig setup; fontconfig substitutes another sans
// face when it is missing.
constexpr const char* font_family = "DejaVu Sans";

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

void check_cairo(cairo_status_t status, const char* what) {
    if (status != CAIRO_STATUS_SUCCESS) {
        throw Error(std::string("cairo failed to ") + what + ": " + cairo_status_to_string(status));
    }
}

}  // namespace

ImageFormat image_format_of(const std::filesystem::path& path) {
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (extension == ".png") {
        return ImageFormat::png;
    }
    if (extension == ".svg") {
        return ImageFormat::svg;
    }
    throw Error("plot output '" + path.string() +
                "' has an unsupported extension; use .png or .svg");
}

std::string_view extension_of(ImageFormat format) {
    return format == ImageFormat::png ? "png" : "svg";
}

ImageFormat parse_image_format(std::string_view text) {
    if (text == "png") {
        return ImageFormat::png;
    }
    if (text == "svg") {
        return ImageFormat::svg;
    }
    throw UsageError("invalid image format '" + std::string(text) + "'; use png or svg");
}

Canvas::Canvas(ImageFormat format, double width_inches, double height_inches, double dpi)
    : format_(format), dpi_(dpi), width_pt_(width_inches * 72.0), height_pt_(height_inches * 72.0) {
    if (!(width_inches >= 0.5 && width_inches <= 100 && height_inches >= 0.5 &&
          height_inches <= 100)) {
        throw Error("figure size " + std::to_string(width_inches) + " x " +
                    std::to_string(height_inches) + " inches is out of range [0.5, 100]");
    }
    if (!(dpi >= 10 && dpi <= 1200)) {
        throw Error("dpi " + std::to_string(dpi) + " is out of range [10, 1200]");
    }
    width_px_ = static_cast<int>(std::lround(width_inches * dpi));
    height_px_ = static_cast<int>(std::lround(height_inches * dpi));

    if (format == ImageFormat::png) {
        surface_ = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width_px_, height_px_);
    } else {
        surface_ = cairo_svg_surface_create_for_stream(append_to_string, &svg_bytes_, width_pt_,
                                                       height_pt_);
        cairo_svg_surface_set_document_unit(surface_, CAIRO_SVG_UNIT_PT);
    }
    check_cairo(cairo_surface_status(surface_), "create the figure surface");
    cr_ = cairo_create(surface_);
    check_cairo(cairo_status(cr_), "create a drawing context");
    // Unhinted metrics: text widths in points are then the same at every dpi and in SVG, so
    // a layout measured once holds for every output.
    cairo_font_options_t* font_options = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(font_options, CAIRO_HINT_METRICS_OFF);
    cairo_set_font_options(cr_, font_options);
    cairo_font_options_destroy(font_options);
    if (format == ImageFormat::png) {
        cairo_scale(cr_, pixels_per_point(), pixels_per_point());
    }
    cairo_set_source_rgb(cr_, 1, 1, 1);
    cairo_paint(cr_);
}

Canvas::~Canvas() {
    if (cr_) {
        cairo_destroy(cr_);
    }
    if (surface_) {
        cairo_surface_destroy(surface_);
    }
}

PixelRect Canvas::to_pixels(const Rect& rect) const {
    const double scale = pixels_per_point();
    const int left = static_cast<int>(std::lround(rect.x * scale));
    const int top = static_cast<int>(std::lround(rect.y * scale));
    const int right = static_cast<int>(std::lround(rect.right() * scale));
    const int bottom = static_cast<int>(std::lround(rect.bottom() * scale));
    return {left, top, std::max(0, right - left), std::max(0, bottom - top)};
}

Rect Canvas::to_points(const PixelRect& rect) const {
    const double scale = pixels_per_point();
    return {rect.x / scale, rect.y / scale, rect.width / scale, rect.height / scale};
}

void Canvas::fill_rect(const Rect& rect, Rgba colour) {
    cairo_set_source_rgba(cr_, colour.rgb.r, colour.rgb.g, colour.rgb.b, colour.alpha);
    cairo_rectangle(cr_, rect.x, rect.y, rect.width, rect.height);
    cairo_fill(cr_);
}

void Canvas::stroke_rect(const Rect& rect, Rgb colour, double line_width) {
    cairo_set_source_rgb(cr_, colour.r, colour.g, colour.b);
    cairo_set_line_width(cr_, line_width);
    cairo_set_line_join(cr_, CAIRO_LINE_JOIN_MITER);
    cairo_rectangle(cr_, rect.x, rect.y, rect.width, rect.height);
    cairo_stroke(cr_);
}

void Canvas::line(double x0, double y0, double x1, double y1, Rgb colour, double line_width) {
    cairo_set_source_rgb(cr_, colour.r, colour.g, colour.b);
    cairo_set_line_width(cr_, line_width);
    cairo_set_line_cap(cr_, CAIRO_LINE_CAP_BUTT);
    cairo_move_to(cr_, x0, y0);
    cairo_line_to(cr_, x1, y1);
    cairo_stroke(cr_);
}

void Canvas::select_font(const TextStyle& style) {
    cairo_select_font_face(cr_, font_family, CAIRO_FONT_SLANT_NORMAL,
                           style.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_, style.size);
}

double Canvas::text_width(std::string_view text, const TextStyle& style) {
    select_font(style);
    const std::string owned(text);
    cairo_text_extents_t extents;
    cairo_text_extents(cr_, owned.c_str(), &extents);
    return extents.x_advance;
}

double Canvas::line_height(const TextStyle& style) {
    select_font(style);
    cairo_font_extents_t extents;
    cairo_font_extents(cr_, &extents);
    return extents.ascent + extents.descent;
}

void Canvas::text(double x, double y, std::string_view text, const TextStyle& style,
                  HAlign horizontal, VAlign vertical, double angle) {
    if (text.empty()) {
        return;
    }
    select_font(style);
    const std::string owned(text);
    cairo_text_extents_t text_extents;
    cairo_text_extents(cr_, owned.c_str(), &text_extents);
    cairo_font_extents_t font_extents;
    cairo_font_extents(cr_, &font_extents);

    double dx = 0;
    if (horizontal == HAlign::centre) {
        dx = -text_extents.x_advance / 2;
    } else if (horizontal == HAlign::right) {
        dx = -text_extents.x_advance;
    }
    // Vertical placement uses the font's ascent and descent, not the glyphs' own extents,
    // so that labels with and without descenders line up.
    double dy = 0;
    if (vertical == VAlign::top) {
        dy = font_extents.ascent;
    } else if (vertical == VAlign::middle) {
        dy = (font_extents.ascent - font_extents.descent) / 2;
    } else if (vertical == VAlign::bottom) {
        dy = -font_extents.descent;
    }

    cairo_save(cr_);
    cairo_translate(cr_, x, y);
    cairo_rotate(cr_, -angle * std::numbers::pi / 180.0);
    cairo_set_source_rgb(cr_, style.colour.r, style.colour.g, style.colour.b);
    cairo_move_to(cr_, dx, dy);
    cairo_show_text(cr_, owned.c_str());
    cairo_restore(cr_);
}

void Canvas::draw_raster(cairo_surface_t* image, const PixelRect& destination) {
    cairo_save(cr_);
    // Back to raster pixels: the identity on the PNG page, 1/pixels_per_point on the SVG one.
    cairo_identity_matrix(cr_);
    if (format_ == ImageFormat::svg) {
        cairo_scale(cr_, 1.0 / pixels_per_point(), 1.0 / pixels_per_point());
    }
    cairo_set_source_surface(cr_, image, destination.x, destination.y);
    cairo_pattern_set_filter(cairo_get_source(cr_), CAIRO_FILTER_NEAREST);
    cairo_rectangle(cr_, destination.x, destination.y, destination.width, destination.height);
    cairo_fill(cr_);
    cairo_restore(cr_);
}

std::string Canvas::encode() {
    check_cairo(cairo_status(cr_), "draw the figure");
    if (format_ == ImageFormat::png) {
        std::string bytes;
        cairo_surface_flush(surface_);
        check_cairo(cairo_surface_write_to_png_stream(surface_, append_to_string, &bytes),
                    "encode the PNG");
        return bytes;
    }
    cairo_surface_finish(surface_);
    check_cairo(cairo_surface_status(surface_), "write the SVG");
    return std::move(svg_bytes_);
}

}  // namespace uadscope::plot
