#include "plot/color.h"

#include <algorithm>
#include <cmath>

namespace uadscope::plot {

namespace {

double to_linear(double c) {
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double to_gamma(double c) {
    return c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1.0 / 2.4) - 0.055;
}

struct Linear {
    double r;
    double g;
    double b;
};

// Matrices from Ottosson's reference implementation of OKLab.
Linear oklab_to_linear(Oklab colour) {
    const double l_root = colour.lightness + 0.3963377774 * colour.a + 0.2158037573 * colour.b;
    const double m_root = colour.lightness - 0.1055613458 * colour.a - 0.0638541728 * colour.b;
    const double s_root = colour.lightness - 0.0894841775 * colour.a - 1.2914855480 * colour.b;
    const double l = l_root * l_root * l_root;
    const double m = m_root * m_root * m_root;
    const double s = s_root * s_root * s_root;
    return {4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
            -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
            -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s};
}

bool in_gamut(const Linear& colour) {
    constexpr double tolerance = 1e-9;
    return colour.r >= -tolerance && colour.r <= 1 + tolerance && colour.g >= -tolerance &&
           colour.g <= 1 + tolerance && colour.b >= -tolerance && colour.b <= 1 + tolerance;
}

Rgb to_rgb(const Linear& colour) {
    return {to_gamma(std::clamp(colour.r, 0.0, 1.0)), to_gamma(std::clamp(colour.g, 0.0, 1.0)),
            to_gamma(std::clamp(colour.b, 0.0, 1.0))};
}

}  // namespace

Rgb rgb_from_hex(std::uint32_t hex) {
    return {static_cast<double>((hex >> 16) & 0xff) / 255.0,
            static_cast<double>((hex >> 8) & 0xff) / 255.0,
            static_cast<double>(hex & 0xff) / 255.0};
}

Oklab to_oklab(Rgb colour) {
    const double r = to_linear(colour.r);
    const double g = to_linear(colour.g);
    const double b = to_linear(colour.b);
    const double l = std::cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
    const double m = std::cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
    const double s = std::cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
    return {0.2104542553 * l + 0.7936177850 * m - 0.0040720468 * s,
            1.9779984951 * l - 2.4285922050 * m + 0.4505937099 * s,
            0.0259040371 * l + 0.7827717662 * m - 0.8086757660 * s};
}

Rgb from_oklab(Oklab colour) {
    return to_rgb(oklab_to_linear(colour));
}

Rgb with_lightness(Rgb colour, double lightness) {
    const Oklab base = to_oklab(colour);
    const double target = std::clamp(lightness, 0.0, 1.0);
    Oklab shade{target, base.a, base.b};
    if (in_gamut(oklab_to_linear(shade))) {
        return from_oklab(shade);
    }
    // Bisect on the chroma scale: the largest factor in [0, 1] that stays in gamut.
    double low = 0;
    double high = 1;
    for (int step = 0; step < 40; ++step) {
        const double middle = 0.5 * (low + high);
        shade = {target, base.a * middle, base.b * middle};
        if (in_gamut(oklab_to_linear(shade))) {
            low = middle;
        } else {
            high = middle;
        }
    }
    return from_oklab({target, base.a * low, base.b * low});
}

Rgb mix(Rgb from, Rgb to, double t) {
    return {from.r + (to.r - from.r) * t, from.g + (to.g - from.g) * t,
            from.b + (to.b - from.b) * t};
}

double colour_distance(Rgb first, Rgb second) {
    return std::max(
        {std::abs(first.r - second.r), std::abs(first.g - second.g), std::abs(first.b - second.b)});
}

}  // namespace uadscope::plot
