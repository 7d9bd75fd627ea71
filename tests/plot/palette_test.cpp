#include <gtest/gtest.h>

#include "plot/color.h"
#include "plot/palette.h"

namespace uadscope::plot {
namespace {

TEST(Color, OklabRoundTrip) {
    for (const std::uint32_t hex : {0x000000u, 0xffffffu, 0x0072B2u, 0xD55E00u, 0x123456u}) {
        const Rgb colour = rgb_from_hex(hex);
        const Rgb back = from_oklab(to_oklab(colour));
        // The published matrices are given to 10 digits, so a round trip keeps about 1e-7.
        EXPECT_LT(colour_distance(colour, back), 1e-6) << std::hex << hex;
    }
}

TEST(Color, OklabOfWhiteAndBlack) {
    EXPECT_NEAR(to_oklab({1, 1, 1}).lightness, 1.0, 1e-6);
    EXPECT_NEAR(to_oklab({0, 0, 0}).lightness, 0.0, 1e-6);
    EXPECT_NEAR(to_oklab({1, 1, 1}).a, 0.0, 1e-6);
}

TEST(Color, WithLightnessHitsTarget) {
    const Rgb base = rgb_from_hex(0x0072B2);
    for (const double lightness : {0.3, 0.5, 0.7, 0.9}) {
        const Rgb shade = with_lightness(base, lightness);
        EXPECT_NEAR(to_oklab(shade).lightness, lightness, 2e-3) << lightness;
        for (const double component : {shade.r, shade.g, shade.b}) {
            EXPECT_GE(component, 0.0);
            EXPECT_LE(component, 1.0);
        }
    }
}

TEST(Palette, SectionShadesGetLighter) {
    const auto shades = section_shades(device_colour(0), 6);
    ASSERT_EQ(shades.size(), 6u);
    for (std::size_t i = 1; i < shades.size(); ++i) {
        EXPECT_GT(to_oklab(shades[i]).lightness, to_oklab(shades[i - 1]).lightness + 0.05);
        EXPECT_GT(colour_distance(shades[i], shades[i - 1]), 0.03);
    }
}

TEST(Palette, SectionShadesSmallCounts) {
    EXPECT_TRUE(section_shades(device_colour(1), 0).empty());
    const auto one = section_shades(device_colour(1), 1);
    ASSERT_EQ(one.size(), 1u);
    EXPECT_LT(colour_distance(one[0], device_colour(1)), 1e-12);
}

TEST(Palette, DeviceColoursDistinct) {
    for (std::size_t i = 0; i < device_colour_count(); ++i) {
        for (std::size_t j = i + 1; j < device_colour_count(); ++j) {
            EXPECT_GT(colour_distance(device_colour(i), device_colour(j)), 0.1) << i << " " << j;
        }
    }
    EXPECT_LT(colour_distance(device_colour(0), device_colour(device_colour_count())), 1e-12);
}

TEST(Palette, FileColoursCycleEveryTen) {
    EXPECT_EQ(file_colour_count(), 10u);
    EXPECT_LT(colour_distance(file_colour(3), file_colour(13)), 1e-12);
    EXPECT_GT(colour_distance(file_colour(3), file_colour(4)), 0.1);
}

TEST(Palette, ViridisMatchesTable) {
    // Entries 0, 128 and 255 of matplotlib's viridis table; 128 lies between two anchors,
    // so it carries the interpolation error (at most 0.007).
    EXPECT_LT(colour_distance(viridis(0), {0.267004, 0.004874, 0.329415}), 1e-9);
    EXPECT_LT(colour_distance(viridis(1), {0.993248, 0.906157, 0.143936}), 1e-9);
    EXPECT_LT(colour_distance(viridis(128.0 / 255.0), {0.128729, 0.563265, 0.551229}), 0.007);
    EXPECT_LT(colour_distance(viridis(-3), viridis(0)), 1e-12);
    EXPECT_LT(colour_distance(viridis(7), viridis(1)), 1e-12);
}

TEST(Palette, ExternalGreysAreLight) {
    const auto greys = external_greys(3);
    ASSERT_EQ(greys.size(), 3u);
    for (const Rgb& grey : greys) {
        EXPECT_DOUBLE_EQ(grey.r, grey.g);
        EXPECT_GT(grey.r, 0.55);
    }
}

}  // namespace
}  // namespace uadscope::plot
