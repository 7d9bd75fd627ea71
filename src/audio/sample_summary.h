#pragma once

// The sum and range of mono samples, which load_audio needs for mean removal, the silence
// check and absmax normalisation. Gathering them while decoding, or in one fused pass, saves
// separate passes over every sample.

#include <span>

namespace uadscope::audio {

struct SampleSummary {
    // False when the decoder could not gather the values below exactly; call summarize() then.
    bool known = false;
    // Sum of the samples in double. When gathered while decoding, it is exact, so it equals the
    // sum in any order. summarize() adds in the fixed order of remove_mean().
    double sum = 0;
    float minimum = 0;
    float maximum = 0;
};

// Computes the summary of `samples` in one pass. A NaN or infinite sample makes the sum
// non-finite, so one check of the sum covers every sample.
SampleSummary summarize(std::span<const float> samples);

// Sets every sample to (sample - mean) / divisor, in float, with the same roundings as
// remove_mean() followed by normalize(). A divisor of 1 skips the division.
void subtract_and_divide(std::span<float> samples, float mean, float divisor);

}  // namespace uadscope::audio
