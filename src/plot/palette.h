#pragma once

// Palettes of the plots, chosen so that readers with a colour vision deficiency can still
// tell the classes apart. Devices get categorical hues from Okabe and Ito (2008) and Paul
// Tol's muted scheme, files the Tableau 10 palette, sections shades by OKLab lightness, and
// continuous values viridis.

#include <cstddef>
#include <vector>

#include "plot/color.h"

namespace uadscope::plot {

// Hue of device `index` (devices in sorted name order), from the Okabe-Ito and Paul Tol
// muted palettes. The first seven differ in hue; more than 14 devices cycle.
Rgb device_colour(std::size_t index);
// Number of distinct device colours before device_colour() cycles.
std::size_t device_colour_count();

// `count` shades of `base` for the sections of one device or domain, ordered from dark to
// light, evenly spaced in OKLab lightness around the base colour's own lightness. One
// section gets `base` itself.
std::vector<Rgb> section_shades(Rgb base, std::size_t count);

// Hue families of the device plot.
Rgb source_colour();          // Okabe-Ito blue
Rgb target_colour();          // Okabe-Ito vermillion
Rgb unknown_domain_colour();  // Okabe-Ito bluish green, used when both source and unknown occur

// Colour of file `index` in the section plot: Tableau 10, cycling every 10 files.
Rgb file_colour(std::size_t index);
std::size_t file_colour_count();

// Greys for `count` external datasets, from light to a little darker, all lighter than
// any text so they stay in the background.
std::vector<Rgb> external_greys(std::size_t count);

// Viridis (van der Walt and Smith, matplotlib 1.5, CC0) at t in [0, 1], linearly
// interpolated between 33 of its 256 entries (largest error 0.007 per component).
// t outside [0, 1] is clamped.
Rgb viridis(double t);

// Colour of text, axis frames and ticks.
Rgb ink_colour();
// Colour of secondary text (subtitle, notes).
Rgb muted_ink_colour();

}  // namespace uadscope::plot
