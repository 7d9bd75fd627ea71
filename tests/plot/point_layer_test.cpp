#include <gtest/gtest.h>

#include <filesystem>

#include "common/paths.h"
#include "core/error.h"
#include "image_reader.h"
#include "plot/canvas.h"
#include "plot/figure.h"
#include "plot/point_layer.h"

namespace uadscope::plot {
namespace {

using testing::Image;
using testing::square_around;

constexpr Rgb red{0.8, 0.1, 0.1};
constexpr Rgb blue{0.1, 0.2, 0.8};

// Draws `layer` onto a 4 x 3 inch page at 100 dpi and reads the PNG back.
std::filesystem::path render(const PointLayer& layer, bool vector, const std::string& name) {
    const auto folder = uadscope::testing::fresh_temp_dir("plot-layer-" + name);
    const auto path = folder / "layer.png";
    Canvas canvas(ImageFormat::png, 4, 3, 100);
    layer.draw(canvas, vector, 2);
    write_canvas(canvas, path);
    return path;
}

TEST(PointLayer, RasterPaintsOpaqueColourAtPoint) {
    PointLayer layer({50, 40, 200, 150});
    const auto style = layer.add_style({Marker::circle, 4, {red, 1}});
    layer.add(100, 75, style);
    const Image image(render(layer, false, "opaque"));
    EXPECT_LT(colour_distance(image.at(150, 115), red), 2.0 / 255);
    // 4 points at 100 dpi is 5.6 pixels, so 9 pixels away is background.
    EXPECT_TRUE(image.is_background(150 + 9, 115));
    EXPECT_TRUE(image.is_background(150, 115 - 9));
}

TEST(PointLayer, LaterPointsOnTop) {
    PointLayer layer({0, 0, 400, 300});
    const auto red_style = layer.add_style({Marker::circle, 3, {red, 1}});
    const auto blue_style = layer.add_style({Marker::square, 3, {blue, 1}});
    layer.add(100, 100, red_style);
    layer.add(100, 100, blue_style);
    layer.add(200, 100, blue_style);
    layer.add(200, 100, red_style);
    const Image image(render(layer, false, "order"));
    EXPECT_LT(colour_distance(image.at(100, 100), blue), 2.0 / 255);
    EXPECT_LT(colour_distance(image.at(200, 100), red), 2.0 / 255);
}

TEST(PointLayer, TranslucentPointsAccumulate) {
    PointLayer layer({0, 0, 400, 300});
    const auto style = layer.add_style({Marker::circle, 3, {red, 0.3}});
    layer.add(100, 100, style);
    for (int i = 0; i < 40; ++i) {
        layer.add(300, 100, style);
    }
    const Image image(render(layer, false, "alpha"));
    // One point at alpha 0.3 over white: 0.3 red + 0.7 white.
    const Rgb single = image.at(100, 100);
    EXPECT_NEAR(single.g, 0.3 * red.g + 0.7, 3.0 / 255);
    // Forty of them reach the opaque colour (0.7^40 is below 1e-6).
    EXPECT_LT(colour_distance(image.at(300, 100), red), 3.0 / 255);
}

TEST(PointLayer, ClipsToPanel) {
    const PixelRect panel{100, 80, 150, 100};
    for (const bool vector : {false, true}) {
        PointLayer layer(panel);
        const auto style = layer.add_style({Marker::circle, 10, {red, 1}});
        // Corners and edges of the panel, with markers 14 pixels in radius.
        for (const auto& [x, y] : std::vector<std::pair<double, double>>{
                 {0, 0}, {150, 0}, {0, 100}, {150, 100}, {75, -5}, {-5, 50}}) {
            layer.add(x, y, style);
        }
        const Image image(render(layer, vector, vector ? "clip-vector" : "clip-raster"));
        const std::int64_t inside = image.count_foreground(panel);
        const std::int64_t total = image.count_foreground({0, 0, image.width(), image.height()});
        EXPECT_GT(inside, 500) << (vector ? "vector" : "raster");
        EXPECT_EQ(total, inside) << (vector ? "vector" : "raster");
    }
}

TEST(PointLayer, VectorAndRasterAgree) {
    const PixelRect panel{20, 20, 300, 200};
    std::array<std::int64_t, 2> red_pixels{};
    std::array<std::int64_t, 2> blue_pixels{};
    for (int mode = 0; mode < 2; ++mode) {
        PointLayer layer(panel);
        const auto red_style = layer.add_style({Marker::circle, 2.5, {red, 1}});
        const auto blue_style = layer.add_style({Marker::triangle, 2.5, {blue, 1}});
        for (int i = 0; i < 10; ++i) {
            layer.add(20 + 25 * i, 50, red_style);
            layer.add(20 + 25 * i, 150, blue_style);
        }
        const Image image(render(layer, mode == 1, mode == 1 ? "agree-vector" : "agree-raster"));
        red_pixels[mode] = image.count_near(panel, red, 0.05);
        blue_pixels[mode] = image.count_near(panel, blue, 0.05);
        EXPECT_LT(colour_distance(image.at(20 + 20 + 100, 20 + 50), red), 0.05);
        EXPECT_LT(colour_distance(image.at(20 + 20 + 100, 20 + 150), blue), 0.05);
    }
    // Sprites sit on whole pixels and cairo paths on exact positions, so the antialiased
    // edges differ; the solid cores agree to within a fifth.
    EXPECT_NEAR(static_cast<double>(red_pixels[0]), static_cast<double>(red_pixels[1]),
                0.2 * static_cast<double>(red_pixels[1]));
    EXPECT_NEAR(static_cast<double>(blue_pixels[0]), static_cast<double>(blue_pixels[1]),
                0.2 * static_cast<double>(blue_pixels[1]));
}

TEST(Canvas, PixelSizeFollowsDpi) {
    const auto folder = uadscope::testing::fresh_temp_dir("plot-canvas");
    Canvas canvas(ImageFormat::png, 7, 5, 120);
    EXPECT_EQ(canvas.width_pixels(), 840);
    EXPECT_EQ(canvas.height_pixels(), 600);
    write_canvas(canvas, folder / "blank.png");
    const Image image(folder / "blank.png");
    EXPECT_EQ(image.width(), 840);
    EXPECT_EQ(image.height(), 600);
    EXPECT_TRUE(image.is_background(10, 10));
}

TEST(Canvas, RejectsBadSizeAndDpi) {
    EXPECT_THROW(Canvas(ImageFormat::png, 7, 5, 5), Error);
    EXPECT_THROW(Canvas(ImageFormat::png, 0.1, 5, 100), Error);
    EXPECT_THROW(image_format_of("plot.jpg"), Error);
    EXPECT_EQ(image_format_of("a/plot.SVG"), ImageFormat::svg);
}

}  // namespace
}  // namespace uadscope::plot
