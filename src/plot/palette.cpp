#include "plot/palette.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace uadscope::plot {

namespace {

// Sections are shaded by lightness, so devices must differ in hue. The first seven have
// OKLab hues at least 29 degrees apart (blue 244, vermillion 48, bluish green 166, reddish
// purple 346, orange 77, indigo 282, olive 109): five Okabe-Ito colours and two of Paul
// Tol's muted ones. The next seven (Okabe-Ito sky blue and yellow, Tol's wine, teal,
// purple, green and sand) repeat those hues at other lightness and chroma.
constexpr std::array<std::uint32_t, 14> device_hexes = {
    0x0072B2, 0xD55E00, 0x009E73, 0xCC79A7, 0xE69F00, 0x332288, 0x999933,
    0x56B4E9, 0xF0E442, 0x882255, 0x44AA99, 0xAA4499, 0x117733, 0xDDCC77};

constexpr std::array<std::uint32_t, 10> tableau10_hexes = {0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2,
                                                           0x59A14F, 0xEDC948, 0xB07AA1, 0xFF9DA7,
                                                           0x9C755F, 0xBAB0AC};

// Viridis entries 0, 8, ..., 248 and 255 of matplotlib's 256-entry table.
constexpr std::array<std::array<double, 3>, 33> viridis_anchors = {{
    {0.267004, 0.004874, 0.329415}, {0.277018, 0.050344, 0.375715}, {0.282327, 0.094955, 0.417331},
    {0.282884, 0.135920, 0.453427}, {0.278826, 0.175490, 0.483397}, {0.270595, 0.214069, 0.507052},
    {0.258965, 0.251537, 0.524736}, {0.244972, 0.287675, 0.537260}, {0.229739, 0.322361, 0.545706},
    {0.214298, 0.355619, 0.551184}, {0.199430, 0.387607, 0.554642}, {0.185556, 0.418570, 0.556753},
    {0.172719, 0.448791, 0.557885}, {0.160665, 0.478540, 0.558115}, {0.149039, 0.508051, 0.557250},
    {0.137770, 0.537492, 0.554906}, {0.127568, 0.566949, 0.550556}, {0.120565, 0.596422, 0.543611},
    {0.120638, 0.625828, 0.533488}, {0.132268, 0.655014, 0.519661}, {0.157851, 0.683765, 0.501686},
    {0.196571, 0.711827, 0.479221}, {0.246070, 0.738910, 0.452024}, {0.304148, 0.764704, 0.419943},
    {0.369214, 0.788888, 0.382914}, {0.440137, 0.811138, 0.340967}, {0.515992, 0.831158, 0.294279},
    {0.595839, 0.848717, 0.243329}, {0.678489, 0.863742, 0.189503}, {0.762373, 0.876424, 0.137064},
    {0.845561, 0.887322, 0.099702}, {0.926106, 0.897330, 0.104071}, {0.993248, 0.906157, 0.143936},
}};

// Darkest and lightest OKLab lightness of section shades: darker shades lose their hue,
// lighter ones their contrast against the white panel.
constexpr double darkest_shade = 0.36;
constexpr double lightest_shade = 0.84;
// Lightness step between neighbouring sections when there are few of them.
constexpr double preferred_shade_step = 0.12;

}  // namespace

Rgb device_colour(std::size_t index) {
    return rgb_from_hex(device_hexes[index % device_hexes.size()]);
}

std::size_t device_colour_count() {
    return device_hexes.size();
}

std::vector<Rgb> section_shades(Rgb base, std::size_t count) {
    if (count == 0) {
        return {};
    }
    if (count == 1) {
        return {base};
    }
    const double span = std::min(lightest_shade - darkest_shade,
                                 preferred_shade_step * static_cast<double>(count - 1));
    const double centre =
        std::clamp(to_oklab(base).lightness, darkest_shade + span / 2, lightest_shade - span / 2);
    std::vector<Rgb> shades;
    shades.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const double t = static_cast<double>(i) / static_cast<double>(count - 1);
        shades.push_back(with_lightness(base, centre - span / 2 + span * t));
    }
    return shades;
}

Rgb source_colour() {
    return rgb_from_hex(0x0072B2);
}
Rgb target_colour() {
    return rgb_from_hex(0xD55E00);
}
Rgb unknown_domain_colour() {
    return rgb_from_hex(0x009E73);
}

Rgb file_colour(std::size_t index) {
    return rgb_from_hex(tableau10_hexes[index % tableau10_hexes.size()]);
}

std::size_t file_colour_count() {
    return tableau10_hexes.size();
}

std::vector<Rgb> external_greys(std::size_t count) {
    std::vector<Rgb> greys;
    greys.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const double t = count == 1 ? 0 : static_cast<double>(i) / static_cast<double>(count - 1);
        const double level = 0.78 - 0.16 * t;
        greys.push_back({level, level, level});
    }
    return greys;
}

Rgb viridis(double t) {
    const double clamped = std::isnan(t) ? 0.0 : std::clamp(t, 0.0, 1.0);
    const double position = clamped * 255.0;
    // Anchor k sits at table index 8k, except the last one at 255.
    auto anchor_index = [](std::size_t k) {
        return k + 1 == viridis_anchors.size() ? 255.0 : 8.0 * static_cast<double>(k);
    };
    std::size_t k =
        std::min<std::size_t>(static_cast<std::size_t>(position / 8.0), viridis_anchors.size() - 2);
    const double from = anchor_index(k);
    const double to = anchor_index(k + 1);
    const double u = std::clamp((position - from) / (to - from), 0.0, 1.0);
    const auto& a = viridis_anchors[k];
    const auto& b = viridis_anchors[k + 1];
    return {a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u};
}

Rgb ink_colour() {
    return {0.13, 0.13, 0.13};
}
Rgb muted_ink_colour() {
    return {0.38, 0.38, 0.38};
}

}  // namespace uadscope::plot
