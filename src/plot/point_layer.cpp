#include "plot/point_layer.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <memory>
#include <numbers>

#include "core/error.h"
#include "core/parallel.h"

namespace uadscope::plot {

namespace {

// Rows per band of the raster layer; each band is blended by one thread.
constexpr int band_rows = 32;
// Smallest marker radius in raster pixels, so that a point never vanishes at a low dpi.
constexpr double min_radius_pixels = 0.7;
// Stroke width of a cross relative to its radius.
constexpr double cross_width_ratio = 0.35;

// Distance from a marker's centre to its farthest painted point, relative to its radius.
double marker_extent(Marker marker) {
    switch (marker) {
        case Marker::circle:
            return 1.0;
        case Marker::triangle:
            return 1.2;
        case Marker::square:
            return 1.26;
        case Marker::cross:
            return 1.1;
    }
    return 1.3;
}

// Coverage mask of one marker style, centred on pixel (centre, centre).
struct Sprite {
    int size = 0;
    int centre = 0;
    std::vector<std::uint8_t> coverage;  // [size, size] row-major, 0..255
    // Per row, the columns [first, last) that hold nonzero coverage; empty rows have
    // first == last.
    std::vector<int> first;
    std::vector<int> last;
    // [size, size]: the premultiplied ARGB32 colour that each pixel adds, and 255 minus
    // its alpha, the factor that scales the pixel below.
    std::vector<std::uint32_t> source;
    std::vector<std::uint8_t> keep;
};

inline std::uint32_t divide_255(std::uint32_t x);

std::uint32_t to_byte(double value) {
    return static_cast<std::uint32_t>(std::lround(std::clamp(value, 0.0, 1.0) * 255.0));
}

Sprite render_sprite(const MarkerStyle& style, double pixels_per_point) {
    const double radius = std::max(min_radius_pixels, style.radius * pixels_per_point);
    Sprite sprite;
    sprite.centre = static_cast<int>(std::ceil(radius * marker_extent(style.marker) + 1.0));
    sprite.size = 2 * sprite.centre + 1;

    cairo_surface_t* surface =
        cairo_image_surface_create(CAIRO_FORMAT_A8, sprite.size, sprite.size);
    cairo_t* cr = cairo_create(surface);
    cairo_set_source_rgba(cr, 0, 0, 0, 1);
    const MarkerStyle pixel_style{style.marker, radius, {{0, 0, 0}, 1}};
    draw_marker(cr, pixel_style, sprite.centre + 0.5, sprite.centre + 0.5);
    cairo_destroy(cr);
    cairo_surface_flush(surface);

    const unsigned char* data = cairo_image_surface_get_data(surface);
    const int stride = cairo_image_surface_get_stride(surface);
    sprite.coverage.resize(static_cast<std::size_t>(sprite.size) * sprite.size);
    for (int row = 0; row < sprite.size; ++row) {
        std::copy_n(data + static_cast<std::ptrdiff_t>(row) * stride, sprite.size,
                    sprite.coverage.begin() + static_cast<std::ptrdiff_t>(row) * sprite.size);
    }
    cairo_surface_destroy(surface);
    sprite.first.assign(static_cast<std::size_t>(sprite.size), 0);
    sprite.last.assign(static_cast<std::size_t>(sprite.size), 0);
    for (int row = 0; row < sprite.size; ++row) {
        const auto begin = sprite.coverage.begin() + static_cast<std::ptrdiff_t>(row) * sprite.size;
        const auto end = begin + sprite.size;
        const auto first = std::find_if(begin, end, [](std::uint8_t c) { return c != 0; });
        if (first == end) {
            continue;
        }
        const auto last =
            std::find_if(std::make_reverse_iterator(end), std::make_reverse_iterator(first),
                         [](std::uint8_t c) { return c != 0; });
        sprite.first[static_cast<std::size_t>(row)] = static_cast<int>(first - begin);
        sprite.last[static_cast<std::size_t>(row)] = static_cast<int>(last.base() - begin);
    }

    const std::uint32_t red = to_byte(style.colour.rgb.r);
    const std::uint32_t green = to_byte(style.colour.rgb.g);
    const std::uint32_t blue = to_byte(style.colour.rgb.b);
    const std::uint32_t opacity = to_byte(style.colour.alpha);
    sprite.source.resize(sprite.coverage.size());
    sprite.keep.resize(sprite.coverage.size());
    for (std::size_t i = 0; i < sprite.coverage.size(); ++i) {
        const std::uint32_t alpha = divide_255(sprite.coverage[i] * opacity);
        sprite.source[i] = (alpha << 24) | (divide_255(red * alpha) << 16) |
                           (divide_255(green * alpha) << 8) | divide_255(blue * alpha);
        sprite.keep[i] = static_cast<std::uint8_t>(255 - alpha);
    }
    return sprite;
}

// x / 255 rounded, exact for x in [0, 255 * 255].
inline std::uint32_t divide_255(std::uint32_t x) {
    x += 128;
    return (x + (x >> 8)) >> 8;
}

// Composites `sprite` OVER the premultiplied ARGB32 pixels of rows [row_begin, row_end) of
// the layer, with the sprite's centre at pixel (cx, cy). Two 8-bit channels are scaled in
// one 32-bit multiply (red with blue, alpha with green), each divided by 255 with rounding.
void stamp(const Sprite& sprite, int cx, int cy, std::uint32_t* pixels, int stride_pixels,
           int width, int row_begin, int row_end) {
    const int top = cy - sprite.centre;
    const int left = cx - sprite.centre;
    const int first_row = std::max(row_begin, top);
    const int last_row = std::min(row_end, top + sprite.size);
    for (int row = first_row; row < last_row; ++row) {
        const auto sprite_row = static_cast<std::size_t>(row - top);
        const int first_column = std::max(0, left + sprite.first[sprite_row]);
        const int last_column = std::min(width, left + sprite.last[sprite_row]);
        const std::ptrdiff_t offset = static_cast<std::ptrdiff_t>(sprite_row) * sprite.size - left;
        const std::uint32_t* source = sprite.source.data() + offset;
        const std::uint8_t* keep = sprite.keep.data() + offset;
        std::uint32_t* line = pixels + static_cast<std::ptrdiff_t>(row) * stride_pixels;
        for (int column = first_column; column < last_column; ++column) {
            const std::uint32_t k = keep[column];
            const std::uint32_t old = line[column];
            std::uint32_t red_blue = (old & 0x00ff00ffu) * k + 0x00800080u;
            red_blue = ((red_blue + ((red_blue >> 8) & 0x00ff00ffu)) >> 8) & 0x00ff00ffu;
            std::uint32_t alpha_green = ((old >> 8) & 0x00ff00ffu) * k + 0x00800080u;
            alpha_green = (alpha_green + ((alpha_green >> 8) & 0x00ff00ffu)) & 0xff00ff00u;
            line[column] = source[column] + (red_blue | alpha_green);
        }
    }
}

}  // namespace

void marker_path(cairo_t* cr, Marker marker, double x, double y, double radius) {
    switch (marker) {
        case Marker::circle:
            cairo_new_sub_path(cr);
            cairo_arc(cr, x, y, radius, 0, 2 * std::numbers::pi);
            cairo_close_path(cr);
            break;
        case Marker::triangle: {
            // Equilateral, pointing up, circumradius 1.2 r so that its area is close to the
            // circle's and the two read as the same size.
            const double r = 1.2 * radius;
            const double half_width = r * std::sqrt(3.0) / 2;
            cairo_move_to(cr, x, y - r);
            cairo_line_to(cr, x + half_width, y + r / 2);
            cairo_line_to(cr, x - half_width, y + r / 2);
            cairo_close_path(cr);
            break;
        }
        case Marker::square: {
            const double half = 0.886 * radius;  // the circle's area
            cairo_rectangle(cr, x - half, y - half, 2 * half, 2 * half);
            break;
        }
        case Marker::cross: {
            const double arm = radius * (1 - cross_width_ratio / 2);
            cairo_move_to(cr, x - arm, y - arm);
            cairo_line_to(cr, x + arm, y + arm);
            cairo_move_to(cr, x - arm, y + arm);
            cairo_line_to(cr, x + arm, y - arm);
            break;
        }
    }
}

void draw_marker(cairo_t* cr, const MarkerStyle& style, double x, double y) {
    cairo_set_source_rgba(cr, style.colour.rgb.r, style.colour.rgb.g, style.colour.rgb.b,
                          style.colour.alpha);
    marker_path(cr, style.marker, x, y, style.radius);
    if (style.marker == Marker::cross) {
        cairo_set_line_width(cr, style.radius * cross_width_ratio * 2);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
        cairo_stroke(cr);
    } else {
        cairo_fill(cr);
    }
}

PointLayer::PointLayer(PixelRect panel) : panel_(panel) {}

std::uint16_t PointLayer::add_style(const MarkerStyle& style) {
    UADSCOPE_ASSERT(style_table_.size() <= std::numeric_limits<std::uint16_t>::max());
    style_table_.push_back(style);
    return static_cast<std::uint16_t>(style_table_.size() - 1);
}

void PointLayer::add(double x, double y, std::uint16_t style) {
    UADSCOPE_ASSERT(style < style_table_.size());
    x_.push_back(static_cast<float>(x));
    y_.push_back(static_cast<float>(y));
    styles_.push_back(style);
}

void PointLayer::draw(Canvas& canvas, bool vector, int threads) const {
    if (styles_.empty() || panel_.width <= 0 || panel_.height <= 0) {
        return;
    }
    if (vector) {
        draw_vector(canvas);
    } else {
        draw_raster(canvas, threads);
    }
}

void PointLayer::draw_vector(Canvas& canvas) const {
    cairo_t* cr = canvas.context();
    const Rect clip = canvas.to_points(panel_);
    const double scale = 1.0 / canvas.pixels_per_point();
    const double min_radius = min_radius_pixels * scale;
    cairo_save(cr);
    cairo_rectangle(cr, clip.x, clip.y, clip.width, clip.height);
    cairo_clip(cr);
    for (std::size_t i = 0; i < styles_.size(); ++i) {
        MarkerStyle style = style_table_[styles_[i]];
        style.radius = std::max(style.radius, min_radius);
        draw_marker(cr, style, clip.x + x_[i] * scale, clip.y + y_[i] * scale);
    }
    cairo_restore(cr);
}

void PointLayer::draw_raster(Canvas& canvas, int threads) const {
    std::vector<Sprite> sprites;
    sprites.reserve(style_table_.size());
    for (const auto& style : style_table_) {
        sprites.push_back(render_sprite(style, canvas.pixels_per_point()));
    }

    // Bucket the points by the bands of rows they touch, keeping draw order in each band.
    const int width = panel_.width;
    const int height = panel_.height;
    const int bands = (height + band_rows - 1) / band_rows;
    std::vector<std::vector<std::uint32_t>> band_points(static_cast<std::size_t>(bands));
    std::vector<int> centre_x(styles_.size());
    std::vector<int> centre_y(styles_.size());
    for (std::size_t i = 0; i < styles_.size(); ++i) {
        const Sprite& sprite = sprites[styles_[i]];
        const int cx = static_cast<int>(std::floor(x_[i]));
        const int cy = static_cast<int>(std::floor(y_[i]));
        centre_x[i] = cx;
        centre_y[i] = cy;
        if (cx + sprite.centre < 0 || cx - sprite.centre >= width || cy + sprite.centre < 0 ||
            cy - sprite.centre >= height) {
            continue;
        }
        const int first_band = std::max(0, (cy - sprite.centre) / band_rows);
        const int last_band = std::min(bands - 1, (cy + sprite.centre) / band_rows);
        for (int band = first_band; band <= last_band; ++band) {
            band_points[static_cast<std::size_t>(band)].push_back(static_cast<std::uint32_t>(i));
        }
    }

    cairo_surface_t* layer = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    if (cairo_surface_status(layer) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(layer);
        throw Error("cairo failed to allocate a " + std::to_string(width) + " x " +
                    std::to_string(height) + " point layer; lower the dpi");
    }
    cairo_surface_flush(layer);
    auto* pixels = reinterpret_cast<std::uint32_t*>(cairo_image_surface_get_data(layer));
    const int stride_pixels = cairo_image_surface_get_stride(layer) / 4;
    std::fill_n(pixels, static_cast<std::size_t>(stride_pixels) * height, 0u);

    parallel_for(static_cast<std::size_t>(bands), resolve_jobs(threads),
                 [&](std::size_t band, int) {
                     const int row_begin = static_cast<int>(band) * band_rows;
                     const int row_end = std::min(height, row_begin + band_rows);
                     for (const std::uint32_t i : band_points[band]) {
                         stamp(sprites[styles_[i]], centre_x[i], centre_y[i], pixels, stride_pixels,
                               width, row_begin, row_end);
                     }
                 });
    cairo_surface_mark_dirty(layer);
    canvas.draw_raster(layer, panel_);
    cairo_surface_destroy(layer);
}

}  // namespace uadscope::plot
