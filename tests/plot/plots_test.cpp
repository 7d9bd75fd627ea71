#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "common/paths.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "image_reader.h"
#include "input_builder.h"
#include "plot/device_plot.h"
#include "plot/global_plot.h"
#include "plot/palette.h"
#include "plot/score_plot.h"
#include "plot/section_plot.h"
#include "synthetic.h"

namespace uadscope::plot {
namespace {

using dataset::Domain;
using dataset::Label;
using dataset::Split;
using testing::Image;
using testing::InputBuilder;
using testing::square_around;

// Low dpi keeps the tests fast; sizes scale with it.
constexpr double test_dpi = 60;
// Colour tolerance for stacked opaque points: sprites are exact to 1/255 per channel.
constexpr double exact = 3.0 / 255;

PlotOptions test_options() {
    PlotOptions options;
    options.dpi = test_dpi;
    options.threads = 2;
    return options;
}

std::filesystem::path temp_folder(const std::string& name) {
    return uadscope::testing::fresh_temp_dir("plot-" + name);
}

// Page pixel of map point (x, y) in panel `panel`.
std::pair<double, double> page_pixel(const PlotLayout& layout, std::size_t panel, double x,
                                     double y) {
    const PanelTransform& transform = layout.panels.at(panel);
    return {transform.panel().x + transform.x_pixel(x), transform.panel().y + transform.y_pixel(y)};
}

bool near_colour(const Image& image, std::pair<double, double> pixel, Rgb colour,
                 double tolerance = exact) {
    return colour_distance(image.at(static_cast<int>(pixel.first), static_cast<int>(pixel.second)),
                           colour) <= tolerance;
}

// Two devices at opposite corners and external data in a third corner, 60 stacked points
// each so that the translucent markers add up to the opaque colour.
InputBuilder corner_input() {
    InputBuilder builder;
    const auto fan = builder.file("fan", 0, Domain::source, Split::train, Label::normal);
    const auto pump = builder.file("pump", 0, Domain::source, Split::train, Label::normal);
    const auto external = builder.external_file("audioset");
    builder.points(fan, 0, 0, 60);
    builder.points(pump, 10, 10, 60);
    builder.points(external, 0, 10, 60);
    return builder;
}

TEST(GlobalPlot, ImageSizeFollowsDpi) {
    const auto folder = temp_folder("global-size");
    const auto layout = write_global_plot(corner_input().input, test_options(), folder / "g.png");
    const Image image(folder / "g.png");
    EXPECT_EQ(image.width(), static_cast<int>(std::lround(global_plot_width * test_dpi)));
    EXPECT_EQ(image.height(), static_cast<int>(std::lround(global_plot_height * test_dpi)));
    EXPECT_EQ(layout.width_pixels, image.width());
    EXPECT_EQ(layout.height_pixels, image.height());
}

TEST(GlobalPlot, DefaultDpiIs300) {
    const auto folder = temp_folder("global-300");
    PlotOptions options;
    const auto layout = write_global_plot(corner_input().input, options, folder / "g.png");
    EXPECT_EQ(layout.width_pixels, 2700);
    EXPECT_EQ(layout.height_pixels, 2100);
}

TEST(GlobalPlot, PageShrinksForWideMap) {
    InputBuilder builder;
    const auto fan = builder.file("fan", 0, Domain::source, Split::train, Label::normal);
    builder.points(fan, 0, 0, 5);
    builder.points(fan, 40, 10, 5);
    const auto folder = temp_folder("global-wide");
    const auto layout = write_global_plot(builder.input, test_options(), folder / "g.png");
    const Image image(folder / "g.png");
    EXPECT_EQ(image.width(), static_cast<int>(std::lround(global_plot_width * test_dpi)));
    EXPECT_EQ(image.height(), layout.height_pixels);
    EXPECT_LT(image.height(), static_cast<int>(std::lround(global_plot_height * test_dpi)));
    // The frame takes the map's aspect ratio of 4: the scale fits both extents alike.
    const PixelRect panel = layout.panels[0].panel();
    EXPECT_NEAR(static_cast<double>(panel.width) / panel.height, 4.0, 0.1);
    // The axis titles still fit on the page.
    EXPECT_LT(panel.bottom() + static_cast<int>(test_dpi / 72.0 * axis_label_space_bottom),
              image.height());
}

TEST(GlobalPlot, DeviceColoursWhereTheirPointsAre) {
    const auto folder = temp_folder("global-colours");
    const auto layout = write_global_plot(corner_input().input, test_options(), folder / "g.png");
    const Image image(folder / "g.png");
    const Rgb fan = device_colour(0);
    const Rgb pump = device_colour(1);
    const Rgb grey = external_greys(1)[0];
    const auto fan_pixel = page_pixel(layout, 0, 0, 0);
    const auto pump_pixel = page_pixel(layout, 0, 10, 10);
    const auto external_pixel = page_pixel(layout, 0, 0, 10);
    EXPECT_TRUE(near_colour(image, fan_pixel, fan));
    EXPECT_TRUE(near_colour(image, pump_pixel, pump));
    EXPECT_TRUE(near_colour(image, external_pixel, grey));

    // Each colour only where its points are: count it in the three corner squares.
    const int half = 12;
    EXPECT_GT(image.count_near(square_around(fan_pixel.first, fan_pixel.second, half), fan, 0.05),
              10);
    EXPECT_EQ(image.count_near(square_around(pump_pixel.first, pump_pixel.second, half), fan, 0.05),
              0);
    EXPECT_EQ(image.count_near(square_around(external_pixel.first, external_pixel.second, half),
                               fan, 0.05),
              0);
    EXPECT_EQ(image.count_near(square_around(fan_pixel.first, fan_pixel.second, half), pump, 0.05),
              0);
    // The empty fourth corner is background.
    const auto empty_pixel = page_pixel(layout, 0, 10, 0);
    EXPECT_EQ(image.count_foreground(square_around(empty_pixel.first, empty_pixel.second, half)),
              0);
}

TEST(GlobalPlot, SectionsAreShadesOfTheDeviceHue) {
    InputBuilder builder;
    const auto first = builder.file("fan", 0, Domain::source, Split::train, Label::normal);
    const auto second = builder.file("fan", 1, Domain::source, Split::train, Label::normal);
    builder.points(first, 0, 0, 60);
    builder.points(second, 10, 10, 60);
    const auto folder = temp_folder("global-shades");
    const auto layout = write_global_plot(builder.input, test_options(), folder / "g.png");
    const Image image(folder / "g.png");
    const auto shades = section_shades(device_colour(0), 2);
    const Rgb dark = image.at(static_cast<int>(page_pixel(layout, 0, 0, 0).first),
                              static_cast<int>(page_pixel(layout, 0, 0, 0).second));
    const Rgb light = image.at(static_cast<int>(page_pixel(layout, 0, 10, 10).first),
                               static_cast<int>(page_pixel(layout, 0, 10, 10).second));
    EXPECT_LT(colour_distance(dark, shades[0]), exact);
    EXPECT_LT(colour_distance(light, shades[1]), exact);
    EXPECT_LT(to_oklab(dark).lightness, to_oklab(light).lightness - 0.05);
}

TEST(GlobalPlot, LegendAndTitleDrawn) {
    const auto folder = temp_folder("global-legend");
    const auto layout = write_global_plot(corner_input().input, test_options(), folder / "g.png");
    const Image image(folder / "g.png");
    ASSERT_GT(layout.legend.width, 0);
    ASSERT_GT(layout.legend.height, 0);
    // Text is dark ink. The legend contains device names, counts and a note.
    const auto dark = [](Rgb pixel) { return pixel.r < 0.5 && pixel.g < 0.5 && pixel.b < 0.5; };
    EXPECT_GT(image.count(layout.legend, dark), 100);
    EXPECT_GT(image.count_near(layout.legend, device_colour(0), 0.05), 5);
    EXPECT_GT(image.count_near(layout.legend, device_colour(1), 0.05), 5);
    EXPECT_GT(image.count(layout.title, dark), 100);
}

TEST(GlobalPlot, NothingOutsidePanelLegendTitleAndAxes) {
    // Markers at the extreme corners of the data, which lie at the panel's margin.
    const auto folder = temp_folder("global-outside");
    testing::SyntheticOptions synthetic;
    synthetic.external_files = 10;
    auto input = testing::synthetic_input(synthetic);
    const auto layout = write_global_plot(input, test_options(), folder / "g.png");
    const Image image(folder / "g.png");
    const PixelRect panel = layout.panels[0].panel();
    const int gap = static_cast<int>(test_dpi / 72.0 * 4);  // frame line and antialiasing
    // Right of the panel up to the legend, for the panel's height.
    EXPECT_EQ(image.count_foreground({panel.right() + gap, panel.y,
                                      layout.legend.x - panel.right() - 2 * gap, panel.height}),
              0);
    // Between the title text and the panel top.
    const int title_text_bottom = layout.title.y + static_cast<int>(test_dpi / 72.0 * 34);
    EXPECT_EQ(image.count_foreground(
                  {panel.x, title_text_bottom, panel.width, panel.y - gap - title_text_bottom}),
              0);
    // Below the axis titles.
    const int axes_bottom =
        panel.bottom() + static_cast<int>(test_dpi / 72.0 * (axis_label_space_bottom + 2));
    EXPECT_EQ(image.count_foreground({0, axes_bottom, image.width(), image.height() - axes_bottom}),
              0);
    // Inside the panel the points are drawn.
    EXPECT_GT(image.count_foreground(panel), 1000);
}

TEST(GlobalPlot, SameSeedSameBytesOtherSeedOtherOrder) {
    testing::SyntheticOptions synthetic;
    synthetic.points_per_file = 10;
    const auto input = testing::synthetic_input(synthetic);
    const auto folder = temp_folder("global-seed");
    auto options = test_options();
    write_global_plot(input, options, folder / "a.png");
    write_global_plot(input, options, folder / "b.png");
    options.seed = 99;
    write_global_plot(input, options, folder / "c.png");
    EXPECT_EQ(read_file(folder / "a.png"), read_file(folder / "b.png"));
    EXPECT_NE(read_file(folder / "a.png"), read_file(folder / "c.png"));
}

TEST(DevicePlot, NormalLeftAnomalyRightShadowsOnBoth) {
    InputBuilder builder;
    const auto train = builder.file("fan", 0, Domain::source, Split::train, Label::normal);
    const auto normal = builder.file("fan", 0, Domain::source, Split::test, Label::normal);
    const auto anomaly = builder.file("fan", 0, Domain::source, Split::test, Label::anomaly);
    // One training point, so that its translucent shadow stays lighter than the colour.
    builder.points(train, 5, 10, 1);
    builder.points(normal, 0, 0, 60);
    builder.points(anomaly, 10, 0, 60);
    const auto folder = temp_folder("device-panels");
    const auto layout = write_device_plot(builder.input, test_options(), folder / "d.png");
    const Image image(folder / "d.png");

    ASSERT_EQ(layout.panels.size(), 2u);
    EXPECT_EQ(image.width(), static_cast<int>(std::lround(device_plot_width * test_dpi)));
    EXPECT_EQ(image.height(), layout.height_pixels);
    EXPECT_LE(image.height(), static_cast<int>(std::lround(device_plot_height * test_dpi)));
    const Rgb source = source_colour();
    EXPECT_TRUE(near_colour(image, page_pixel(layout, 0, 0, 0), source));
    EXPECT_TRUE(near_colour(image, page_pixel(layout, 1, 10, 0), source));
    const auto anomaly_left = page_pixel(layout, 0, 10, 0);
    const auto normal_right = page_pixel(layout, 1, 0, 0);
    EXPECT_EQ(image.count_foreground(square_around(anomaly_left.first, anomaly_left.second, 4)), 0);
    EXPECT_EQ(image.count_foreground(square_around(normal_right.first, normal_right.second, 4)), 0);

    // The shadows: translucent blue on both panels, so bluish but lighter than the colour.
    for (std::size_t panel = 0; panel < 2; ++panel) {
        const auto shadow = page_pixel(layout, panel, 5, 10);
        const Rgb pixel = image.at(static_cast<int>(shadow.first), static_cast<int>(shadow.second));
        EXPECT_GT(pixel.b, pixel.r + 0.1) << panel;
        EXPECT_GT(to_oklab(pixel).lightness, to_oklab(source).lightness) << panel;
    }
    // Panels share axes.
    EXPECT_DOUBLE_EQ(layout.panels[0].scale(), layout.panels[1].scale());
    EXPECT_DOUBLE_EQ(layout.panels[0].x_pixel(3), layout.panels[1].x_pixel(3));
}

TEST(DevicePlot, SourceAndTargetDiffer) {
    InputBuilder builder;
    const auto source = builder.file("fan", 0, Domain::source, Split::test, Label::normal);
    const auto target = builder.file("fan", 0, Domain::target, Split::test, Label::normal);
    builder.points(source, 0, 0, 60);
    builder.points(target, 10, 10, 60);
    const auto folder = temp_folder("device-domains");
    const auto layout = write_device_plot(builder.input, test_options(), folder / "d.png");
    const Image image(folder / "d.png");
    EXPECT_TRUE(near_colour(image, page_pixel(layout, 0, 0, 0), source_colour()));
    EXPECT_TRUE(near_colour(image, page_pixel(layout, 0, 10, 10), target_colour()));
    EXPECT_GT(colour_distance(source_colour(), target_colour()), 0.3);
}

TEST(DevicePlot, ExternalBehindTraining) {
    InputBuilder builder;
    const auto external = builder.external_file("audioset");
    const auto test = builder.file("fan", 0, Domain::source, Split::test, Label::normal);
    // The external points come last in the input but must be drawn first.
    builder.points(test, 0, 0, 60);
    builder.points(external, 0, 0, 60);
    builder.points(external, 10, 10, 1);
    const auto folder = temp_folder("device-external");
    const auto layout = write_device_plot(builder.input, test_options(), folder / "d.png");
    const Image image(folder / "d.png");
    EXPECT_TRUE(near_colour(image, page_pixel(layout, 0, 0, 0), source_colour()));
}

TEST(DevicePlot, LegendCountsPresent) {
    const auto folder = temp_folder("device-legend");
    testing::SyntheticOptions synthetic;
    synthetic.devices = {"fan"};
    synthetic.points_per_file = 5;
    const auto layout =
        write_device_plot(testing::synthetic_input(synthetic), test_options(), folder / "d.png");
    const Image image(folder / "d.png");
    const auto dark = [](Rgb pixel) { return pixel.r < 0.5 && pixel.g < 0.5 && pixel.b < 0.5; };
    EXPECT_GT(image.count(layout.legend, dark), 300);
    // The legend lies right of the right panel.
    EXPECT_GT(layout.legend.x, layout.panels[1].panel().right());
}

TEST(SectionCross, MeanOfRanksAfterExcluded) {
    // Energies 9, 8, ..., 0: ranks by ascending energy are the indices reversed.
    std::vector<float> embedding;
    std::vector<float> energy;
    for (int i = 0; i < 10; ++i) {
        embedding.push_back(static_cast<float>(i));
        embedding.push_back(static_cast<float>(2 * i));
        energy.push_back(static_cast<float>(9 - i));
    }
    std::vector<std::uint32_t> points = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const auto cross = section_cross(embedding, energy, points, 2, 3);
    ASSERT_TRUE(cross);
    // Skipped: points 9 and 8. Averaged: points 7, 6, 5.
    EXPECT_DOUBLE_EQ(cross->x, 6.0);
    EXPECT_DOUBLE_EQ(cross->y, 12.0);
    EXPECT_EQ(cross->excluded, 2);
    EXPECT_EQ(cross->averaged, 3);
}

TEST(SectionCross, ScaledDownForSmallSections) {
    std::vector<float> embedding(20, 0.0f);
    std::vector<float> energy(10, 1.0f);
    std::vector<std::uint32_t> points = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const auto cross = section_cross(embedding, energy, points, 500, 100);
    ASSERT_TRUE(cross);
    // 10 * 500 / 600 = 8 excluded, the remaining 2 averaged.
    EXPECT_EQ(cross->excluded, 8);
    EXPECT_EQ(cross->averaged, 2);
    const std::vector<std::uint32_t> one = {4};
    const auto single = section_cross(embedding, energy, one, 500, 100);
    ASSERT_TRUE(single);
    EXPECT_EQ(single->excluded, 0);
    EXPECT_EQ(single->averaged, 1);
    EXPECT_FALSE(section_cross(embedding, energy, {}, 500, 100));
}

TEST(SectionCross, TiesBrokenByIndex) {
    const std::vector<float> embedding = {0, 0, 1, 1, 2, 2, 3, 3};
    const std::vector<float> energy = {5, 5, 5, 5};
    const std::vector<std::uint32_t> points = {3, 2, 1, 0};
    const auto cross = section_cross(embedding, energy, points, 1, 1);
    ASSERT_TRUE(cross);
    EXPECT_DOUBLE_EQ(cross->x, 1.0);
}

TEST(SectionPlot, CrossLandsAtExpectedPosition) {
    InputBuilder builder;
    const auto quiet = builder.file("fan", 3, Domain::source, Split::train, Label::normal);
    const auto loud = builder.file("fan", 3, Domain::source, Split::test, Label::normal);
    const auto other = builder.file("fan", 4, Domain::source, Split::train, Label::normal);
    // Lowest energies far away at (-10, -10); ranks 3 to 5 at (2, 1), (4, 1) and (6, 4);
    // the loudest at (10, 10). Section 4 must not count.
    builder.points(quiet, -10, -10, 2, 0.5f);
    builder.points(quiet, 2, 1, 1, 1.0f);
    builder.points(quiet, 4, 1, 1, 1.1f);
    builder.points(quiet, 6, 4, 1, 1.2f);
    builder.points(loud, 10, 10, 5, 9.0f);
    builder.points(other, 0, 0, 20, 0.0f);

    auto options = test_options();
    options.cross_exclude = 2;
    options.cross_average = 3;
    const auto folder = temp_folder("section-cross");
    const auto layout = write_section_plot(builder.input, {"fan", 3}, options, folder / "s.png");
    ASSERT_TRUE(layout.cross);
    const auto expected = page_pixel(layout, 0, 4, 2);
    EXPECT_NEAR((*layout.cross)[0], expected.first, 1e-6);
    EXPECT_NEAR((*layout.cross)[1], expected.second, 1e-6);

    const Image image(folder / "s.png");
    // The cross is black at its centre, drawn over white (no point lies at (4, 2)).
    const Rgb centre =
        image.at(static_cast<int>(expected.first), static_cast<int>(expected.second));
    EXPECT_LT(colour_distance(centre, {0, 0, 0}), 0.25);
    const auto dark = [](Rgb pixel) { return pixel.r < 0.3 && pixel.g < 0.3 && pixel.b < 0.3; };
    EXPECT_GT(image.count(square_around(expected.first, expected.second, 5), dark), 10);
    // Section 4's points at (0, 0) are not in this plot: its axes span section 3 only.
    EXPECT_EQ(image.count_foreground(square_around(page_pixel(layout, 0, 0, 0).first,
                                                   page_pixel(layout, 0, 0, 0).second, 2)),
              0);
}

TEST(SectionPlot, FilesGetPaletteColours) {
    InputBuilder builder;
    const auto first = builder.file("fan", 0, Domain::source, Split::train, Label::normal);
    const auto second = builder.file("fan", 0, Domain::source, Split::train, Label::normal);
    builder.points(first, 0, 0, 60);
    builder.points(second, 10, 10, 60);
    // Without energy there is no cross to cover the points.
    builder.input.energy.clear();
    const auto folder = temp_folder("section-files");
    const auto layout =
        write_section_plot(builder.input, {"fan", 0}, test_options(), folder / "s.png");
    const Image image(folder / "s.png");
    EXPECT_TRUE(near_colour(image, page_pixel(layout, 0, 0, 0), file_colour(0)));
    EXPECT_TRUE(near_colour(image, page_pixel(layout, 0, 10, 10), file_colour(1)));
}

TEST(SectionPlot, NoEnergyNoCross) {
    auto builder = corner_input();
    builder.input.energy.clear();
    const auto folder = temp_folder("section-no-energy");
    const auto layout =
        write_section_plot(builder.input, {"fan", 0}, test_options(), folder / "s.png");
    EXPECT_FALSE(layout.cross);
    EXPECT_EQ(layout.drawn_points, 60);
}

TEST(ScorePlot, ColoursFollowScores) {
    InputBuilder builder;
    const auto normal = builder.file("fan", 0, Domain::source, Split::test, Label::normal);
    builder.points(normal, 0, 0, 60);
    builder.points(normal, 10, 10, 60);
    builder.points(normal, 0, 10, 60);
    std::vector<float> scores(180, 0.0f);
    std::fill(scores.begin() + 60, scores.begin() + 120, 4.0f);
    std::fill(scores.begin() + 120, scores.end(), std::numeric_limits<float>::quiet_NaN());
    const auto folder = temp_folder("score");
    const auto layout = write_score_plot(builder.input, scores, {"kNN score", "kNN"},
                                         test_options(), folder / "score.png");
    const Image image(folder / "score.png");
    EXPECT_TRUE(near_colour(image, page_pixel(layout, 0, 0, 0), viridis(0)));
    EXPECT_TRUE(near_colour(image, page_pixel(layout, 0, 10, 10), viridis(1)));
    EXPECT_TRUE(near_colour(image, page_pixel(layout, 0, 0, 10), external_greys(1)[0]));
    // The colour bar shows the whole colormap in the legend column.
    EXPECT_GT(image.count_near(layout.legend, viridis(0.5), 0.03), 5);
}

TEST(ScorePlot, RejectsWrongCountAndInfinity) {
    const auto input = corner_input().input;
    const auto folder = temp_folder("score-errors");
    std::vector<float> scores(3, 1.0f);
    EXPECT_THROW(write_score_plot(input, scores, {}, test_options(), folder / "s.png"), Error);
    scores.assign(input.points(), 1.0f);
    scores[5] = std::numeric_limits<float>::infinity();
    EXPECT_THROW(write_score_plot(input, scores, {}, test_options(), folder / "s.png"), Error);
}

TEST(Plots, ZeroPointsGiveEmptyPlotsWithNote) {
    PlotInput empty;
    empty.map = {"logmel_s1_empty", "logmel", 1, "global", std::nullopt};
    const auto folder = temp_folder("empty");
    const auto global = write_global_plot(empty, test_options(), folder / "g.png");
    const auto device = write_device_plot(empty, test_options(), folder / "d.png");
    const auto section = write_section_plot(empty, {"fan", 0}, test_options(), folder / "s.png");
    const auto score = write_score_plot(empty, {}, {}, test_options(), folder / "c.png");
    write_global_plot(empty, test_options(), folder / "g.svg");
    for (const auto& [name, layout] : std::vector<std::pair<std::string, PlotLayout>>{
             {"g.png", global}, {"d.png", device}, {"s.png", section}, {"c.png", score}}) {
        const Image image(folder / name);
        const PixelRect panel = layout.panels[0].panel();
        // The note is text in the middle of the panel.
        const PixelRect middle{panel.x + panel.width / 4, panel.y + panel.height / 2 - 10,
                               panel.width / 2, 20};
        EXPECT_GT(image.count_foreground(middle), 20) << name;
        EXPECT_EQ(layout.drawn_points, 0) << name;
    }
    EXPECT_FALSE(section.cross);
}

TEST(Plots, OnePointAndIdenticalPoints) {
    InputBuilder one;
    one.points(one.file("fan", 0, Domain::source, Split::test, Label::anomaly), 3, 4);
    InputBuilder same;
    same.points(same.file("fan", 0, Domain::source, Split::test, Label::normal), -2, 5, 50);
    const auto folder = temp_folder("degenerate");
    for (const auto* builder : {&one, &same}) {
        const auto global = write_global_plot(builder->input, test_options(), folder / "g.png");
        const auto device = write_device_plot(builder->input, test_options(), folder / "d.png");
        const auto section =
            write_section_plot(builder->input, {"fan", 0}, test_options(), folder / "s.png");
        EXPECT_TRUE(std::isfinite(global.panels[0].scale()));
        EXPECT_TRUE(std::isfinite(device.panels[0].scale()));
        // A single location sits in the middle of the panel.
        const PixelRect panel = global.panels[0].panel();
        const double x = global.panels[0].x_pixel(builder->input.embedding[0]);
        const double y = global.panels[0].y_pixel(builder->input.embedding[1]);
        EXPECT_NEAR(x, panel.width / 2.0, 1e-6);
        EXPECT_NEAR(y, panel.height / 2.0, 1e-6);
        const Image image(folder / "g.png");
        EXPECT_GT(image.count_foreground(square_around(panel.x + x, panel.y + y, 1)), 0);
        EXPECT_TRUE(section.cross);
    }
}

TEST(Plots, NanCoordinateNamed) {
    auto builder = corner_input();
    builder.input.embedding[2 * 3 + 1] = std::numeric_limits<float>::quiet_NaN();
    const auto folder = temp_folder("nan");
    try {
        write_global_plot(builder.input, test_options(), folder / "g.png");
        FAIL() << "expected an Error";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("point 3"), std::string::npos) << message;
        EXPECT_NE(message.find("NaN y coordinate"), std::string::npos) << message;
        EXPECT_NE(message.find("logmel_s1_test"), std::string::npos) << message;
    }
    EXPECT_FALSE(std::filesystem::exists(folder / "g.png"));
    EXPECT_THROW(write_device_plot(builder.input, test_options(), folder / "d.png"), Error);
    EXPECT_THROW(write_section_plot(builder.input, {"fan", 0}, test_options(), folder / "s.png"),
                 Error);
}

TEST(Plots, FileIndexOutOfRangeRejected) {
    auto builder = corner_input();
    builder.input.file[7] = 99;
    EXPECT_THROW(builder.input.validate(), Error);
}

TEST(Plots, InvalidOptionsRejected) {
    auto options = test_options();
    options.dpi = 5;
    EXPECT_THROW(options.validate(), UsageError);
    options = test_options();
    options.cross_average = 0;
    EXPECT_THROW(options.validate(), UsageError);
    options = test_options();
    options.cross_exclude = -1;
    EXPECT_THROW(options.validate(), UsageError);
}

TEST(Svg, WellFormedVectorBelowThreshold) {
    const auto folder = temp_folder("svg-vector");
    const auto layout = write_global_plot(corner_input().input, test_options(), folder / "g.svg");
    EXPECT_FALSE(layout.raster_points);
    const std::string svg = read_file(folder / "g.svg");
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
    EXPECT_NE(svg.find("width=\"648pt\""), std::string::npos);
    EXPECT_EQ(svg.find("<image"), std::string::npos);
}

TEST(Svg, RasterPointsBeyondThreshold) {
    const auto folder = temp_folder("svg-raster");
    auto options = test_options();
    options.svg_max_vector_points = 100;
    const auto layout = write_global_plot(corner_input().input, options, folder / "g.svg");
    EXPECT_TRUE(layout.raster_points);
    const std::string svg = read_file(folder / "g.svg");
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("<image"), std::string::npos);
    EXPECT_NE(svg.find("data:image/png;base64"), std::string::npos);
}

TEST(Svg, DevicePlotWellFormed) {
    const auto folder = temp_folder("svg-device");
    testing::SyntheticOptions synthetic;
    synthetic.devices = {"fan"};
    synthetic.points_per_file = 3;
    write_device_plot(testing::synthetic_input(synthetic), test_options(), folder / "d.svg");
    const std::string svg = read_file(folder / "d.svg");
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

}  // namespace
}  // namespace uadscope::plot
