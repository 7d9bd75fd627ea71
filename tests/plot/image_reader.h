#pragma once

// Reads a PNG back with cairo and inspects its pixels, for the plot tests.

#include <cairo.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

#include "plot/canvas.h"
#include "plot/color.h"

namespace uadscope::plot::testing {

class Image {
  public:
    explicit Image(const std::filesystem::path& path)
        : surface_(cairo_image_surface_create_from_png(path.c_str())) {
        if (cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS) {
            const std::string message = cairo_status_to_string(cairo_surface_status(surface_));
            cairo_surface_destroy(surface_);
            throw std::runtime_error("cannot read PNG '" + path.string() + "': " + message);
        }
        cairo_surface_flush(surface_);
    }
    ~Image() { cairo_surface_destroy(surface_); }
    Image(const Image&) = delete;
    Image& operator=(const Image&) = delete;

    int width() const { return cairo_image_surface_get_width(surface_); }
    int height() const { return cairo_image_surface_get_height(surface_); }

    // Colour of pixel (x, y); pixels of an ARGB image are un-premultiplied over white.
    Rgb at(int x, int y) const {
        const auto* row = cairo_image_surface_get_data(surface_) +
                          static_cast<std::ptrdiff_t>(y) * cairo_image_surface_get_stride(surface_);
        const std::uint32_t pixel = reinterpret_cast<const std::uint32_t*>(row)[x];
        double alpha = 1;
        if (cairo_image_surface_get_format(surface_) == CAIRO_FORMAT_ARGB32) {
            alpha = static_cast<double>(pixel >> 24) / 255.0;
        }
        auto channel = [&](int shift) {
            const double premultiplied = static_cast<double>((pixel >> shift) & 0xff) / 255.0;
            return premultiplied + (1 - alpha);
        };
        return {channel(16), channel(8), channel(0)};
    }

    bool is_background(int x, int y) const {
        const Rgb colour = at(x, y);
        return colour.r > 0.99 && colour.g > 0.99 && colour.b > 0.99;
    }

    // Number of pixels in `rect` (clipped to the image) for which `predicate` holds.
    std::int64_t count(const PixelRect& rect, const std::function<bool(Rgb)>& predicate) const {
        std::int64_t total = 0;
        for (int y = std::max(0, rect.y); y < std::min(height(), rect.bottom()); ++y) {
            for (int x = std::max(0, rect.x); x < std::min(width(), rect.right()); ++x) {
                total += predicate(at(x, y)) ? 1 : 0;
            }
        }
        return total;
    }

    std::int64_t count_near(const PixelRect& rect, Rgb colour, double tolerance) const {
        return count(rect, [&](Rgb pixel) { return colour_distance(pixel, colour) <= tolerance; });
    }

    std::int64_t count_foreground(const PixelRect& rect) const {
        return count(rect,
                     [](Rgb pixel) { return pixel.r < 0.99 || pixel.g < 0.99 || pixel.b < 0.99; });
    }

  private:
    cairo_surface_t* surface_;
};

// A square of side 2 * half + 1 around (x, y).
inline PixelRect square_around(double x, double y, int half) {
    return {static_cast<int>(x) - half, static_cast<int>(y) - half, 2 * half + 1, 2 * half + 1};
}

}  // namespace uadscope::plot::testing
