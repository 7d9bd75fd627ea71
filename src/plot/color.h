#pragma once

// Colours of the plots: sRGB triples and their OKLab form, used to derive the shades of a
// hue. OKLab (Björn Ottosson, 2020) is perceptually uniform enough that equal steps in its
// lightness L look like equal steps in lightness.

#include <cstdint>

namespace uadscope::plot {

// An sRGB colour with gamma-encoded components in [0, 1].
struct Rgb {
    double r = 0;
    double g = 0;
    double b = 0;
};

// A colour with opacity (alpha in [0, 1]), straight, not premultiplied.
struct Rgba {
    Rgb rgb;
    double alpha = 1;
};

struct Oklab {
    double lightness = 0;  // L in [0, 1]: 0 black, 1 white
    double a = 0;          // green (-) to red (+)
    double b = 0;          // blue (-) to yellow (+)
};

// Converts 0xRRGGBB to an Rgb.
Rgb rgb_from_hex(std::uint32_t hex);

Oklab to_oklab(Rgb colour);
// Converts back to sRGB; components outside [0, 1] are clamped (use with_lightness() to
// stay in gamut without a hue shift).
Rgb from_oklab(Oklab colour);

// Returns the colour of the same OKLab hue with OKLab lightness `lightness` (in [0, 1]),
// reducing its chroma only as far as needed to stay inside the sRGB gamut.
Rgb with_lightness(Rgb colour, double lightness);

// Linear interpolation in sRGB: t = 0 gives `from`, t = 1 gives `to`.
Rgb mix(Rgb from, Rgb to, double t);

// Largest absolute difference of the three components, in [0, 1].
double colour_distance(Rgb first, Rgb second);

}  // namespace uadscope::plot
