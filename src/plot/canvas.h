#pragma once

// A figure page drawn with cairo, written as PNG or SVG.
//
// Drawing happens in points (1/72 inch) with the origin at the top-left corner, for both
// formats. PNG pages are rasterised at `dpi`, so a figure of W x H inches is
// round(W * dpi) x round(H * dpi) pixels. Point layers (see point_layer.h) are rasterised
// on the same pixel grid, at `dpi`, in both formats; PixelRect is a rectangle on that grid.

#include <cairo.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "plot/color.h"

namespace uadscope::plot {

enum class ImageFormat { png, svg };

// Returns the format named by a file extension (".png" or ".svg", any letter case);
// throws Error naming the path for any other extension.
ImageFormat image_format_of(const std::filesystem::path& path);
std::string_view extension_of(ImageFormat format);  // "png" or "svg"
// Parses "png" or "svg"; throws UsageError for anything else.
ImageFormat parse_image_format(std::string_view text);

// Rectangle in points, origin top-left.
struct Rect {
    double x = 0;
    double y = 0;
    double width = 0;
    double height = 0;

    double right() const { return x + width; }
    double bottom() const { return y + height; }
};

// Rectangle on the raster grid (pixels at the canvas dpi), origin top-left.
struct PixelRect {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;

    int right() const { return x + width; }
    int bottom() const { return y + height; }
    bool contains(int px, int py) const {
        return px >= x && px < x + width && py >= y && py < y + height;
    }
};

enum class HAlign { left, centre, right };
enum class VAlign { top, middle, baseline, bottom };

struct TextStyle {
    double size = 8;  // points
    bool bold = false;
    Rgb colour{0.13, 0.13, 0.13};
};

class Canvas {
  public:
    // width and height in inches (each in [0.5, 100]); dpi in [10, 1200].
    Canvas(ImageFormat format, double width_inches, double height_inches, double dpi);
    ~Canvas();
    Canvas(const Canvas&) = delete;
    Canvas& operator=(const Canvas&) = delete;

    ImageFormat format() const { return format_; }
    double dpi() const { return dpi_; }
    double pixels_per_point() const { return dpi_ / 72.0; }
    double width() const { return width_pt_; }    // points
    double height() const { return height_pt_; }  // points
    int width_pixels() const { return width_px_; }
    int height_pixels() const { return height_px_; }
    cairo_t* context() { return cr_; }

    // The raster rectangle whose edges are nearest to those of `rect`.
    PixelRect to_pixels(const Rect& rect) const;
    Rect to_points(const PixelRect& rect) const;

    void fill_rect(const Rect& rect, Rgba colour);
    void stroke_rect(const Rect& rect, Rgb colour, double line_width);
    void line(double x0, double y0, double x1, double y1, Rgb colour, double line_width);

    double text_width(std::string_view text, const TextStyle& style);
    // Height of a line of text (ascent + descent) in points.
    double line_height(const TextStyle& style);
    // Draws one line of text with its anchor at (x, y); `angle` in degrees, counter-clockwise
    // (90 draws upwards, for a vertical axis title).
    void text(double x, double y, std::string_view text, const TextStyle& style, HAlign horizontal,
              VAlign vertical, double angle = 0);

    // Paints an ARGB32 image whose pixels map 1:1 onto `destination` of the raster grid.
    void draw_raster(cairo_surface_t* image, const PixelRect& destination);

    // Finishes the page and returns the PNG or SVG bytes; call once, as the last step.
    std::string encode();

  private:
    void select_font(const TextStyle& style);

    ImageFormat format_;
    double dpi_;
    double width_pt_;
    double height_pt_;
    int width_px_;
    int height_px_;
    cairo_surface_t* surface_ = nullptr;
    cairo_t* cr_ = nullptr;
    std::string svg_bytes_;
};

}  // namespace uadscope::plot
