#include <gtest/gtest.h>

#include <vector>

#include "plot/axes.h"

namespace uadscope::plot {
namespace {

TEST(DataBounds, EmptyGivesUnitSquare) {
    const DataBounds bounds = data_bounds({});
    EXPECT_EQ(bounds.x_min, -1);
    EXPECT_EQ(bounds.x_max, 1);
    EXPECT_EQ(bounds.y_min, -1);
    EXPECT_EQ(bounds.y_max, 1);
}

TEST(DataBounds, IdenticalPointsWidened) {
    const std::vector<float> embedding = {3, -2, 3, -2, 3, -2};
    const DataBounds bounds = data_bounds(embedding);
    EXPECT_EQ(bounds.x_min, 2);
    EXPECT_EQ(bounds.x_max, 4);
    EXPECT_EQ(bounds.y_min, -3);
    EXPECT_EQ(bounds.y_max, -1);
}

TEST(DataBounds, SpansPoints) {
    const std::vector<float> embedding = {0, 5, -4, 1, 2, 9};
    const DataBounds bounds = data_bounds(embedding);
    EXPECT_EQ(bounds.x_min, -4);
    EXPECT_EQ(bounds.x_max, 2);
    EXPECT_EQ(bounds.y_min, 1);
    EXPECT_EQ(bounds.y_max, 9);
}

TEST(PanelTransform, FitsDataInsidePanelWithEqualAspect) {
    const DataBounds bounds{-10, 10, 0, 5};
    const PixelRect panel{100, 50, 400, 300};
    const PanelTransform transform(bounds, panel, 0.05);
    for (const double x : {-10.0, 10.0}) {
        for (const double y : {0.0, 5.0}) {
            EXPECT_GE(transform.x_pixel(x), 0.05 * 400 - 1e-9);
            EXPECT_LE(transform.x_pixel(x), 0.95 * 400 + 1e-9);
            EXPECT_GE(transform.y_pixel(y), 0.05 * 300 - 1e-9);
            EXPECT_LE(transform.y_pixel(y), 0.95 * 300 + 1e-9);
        }
    }
    // The wider extent limits the scale: 20 units over 360 pixels.
    EXPECT_DOUBLE_EQ(transform.scale(), 18.0);
    // y grows upwards.
    EXPECT_GT(transform.y_pixel(0), transform.y_pixel(5));
    EXPECT_DOUBLE_EQ(transform.x_data(transform.x_pixel(3.5)), 3.5);
    EXPECT_DOUBLE_EQ(transform.y_data(transform.y_pixel(-1.5)), -1.5);
    // Centred.
    EXPECT_DOUBLE_EQ(transform.x_pixel(0), 200);
    EXPECT_DOUBLE_EQ(transform.y_pixel(2.5), 150);
}

TEST(NiceTicks, UnitRange) {
    const auto ticks = nice_ticks(0, 10, 5);
    const std::vector<double> expected = {0, 2, 4, 6, 8, 10};
    ASSERT_EQ(ticks.size(), expected.size());
    for (std::size_t i = 0; i < ticks.size(); ++i) {
        EXPECT_NEAR(ticks[i], expected[i], 1e-12);
    }
}

TEST(NiceTicks, FractionalRange) {
    const auto ticks = nice_ticks(-0.33, 0.71, 5);
    ASSERT_FALSE(ticks.empty());
    EXPECT_NEAR(ticks.front(), -0.2, 1e-12);
    EXPECT_NEAR(ticks.back(), 0.6, 1e-12);
    EXPECT_NEAR(ticks[1] - ticks[0], 0.2, 1e-12);
}

TEST(NiceTicks, InvalidRangesGiveNone) {
    EXPECT_TRUE(nice_ticks(1, 1, 5).empty());
    EXPECT_TRUE(nice_ticks(2, 1, 5).empty());
    EXPECT_TRUE(nice_ticks(0, std::numeric_limits<double>::infinity(), 5).empty());
    EXPECT_TRUE(nice_ticks(std::numeric_limits<double>::quiet_NaN(), 1, 5).empty());
}

TEST(FormatTick, Decimals) {
    EXPECT_EQ(format_tick(10, 5), "10");
    EXPECT_EQ(format_tick(0.25, 0.05), "0.25");
    EXPECT_EQ(format_tick(0.4, 0.2), "0.4");
    EXPECT_EQ(format_tick(-0.0, 1), "0");
    EXPECT_EQ(format_tick(-1e-17, 0.1), "0.0");
    EXPECT_EQ(format_tick(-5, 5), "\u22125");
}

}  // namespace
}  // namespace uadscope::plot
