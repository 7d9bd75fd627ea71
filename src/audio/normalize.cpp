#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

#include "audio/audio.h"
#include "audio/sample_summary.h"
#include "audio/target_clones.h"

namespace uadscope::audio {
namespace {

// Sum in double, far more precise than float for any realistic length. Four partial sums
// break the dependency chain of a single accumulator.
UADSCOPE_TARGET_CLONES double sum_of(std::span<const float> samples) {
    std::array<double, 4> sums{};
    std::size_t i = 0;
    for (; i + 4 <= samples.size(); i += 4) {
        for (std::size_t j = 0; j < 4; ++j) {
            sums[j] += samples[i + j];
        }
    }
    for (; i < samples.size(); ++i) {
        sums[0] += samples[i];
    }
    return (sums[0] + sums[1]) + (sums[2] + sums[3]);
}

// Largest absolute value. With the sign bit cleared, floats order like their bit patterns read
// as int32, and the integer maximum vectorises where a float one does not.
UADSCOPE_TARGET_CLONES float absolute_maximum(std::span<const float> samples) {
    std::int32_t maximum = 0;
    for (const float value : samples) {
        maximum = std::max(maximum, std::bit_cast<std::int32_t>(value) & 0x7fffffff);
    }
    return std::bit_cast<float>(maximum);
}

double standard_deviation(std::span<const float> samples) {
    if (samples.empty()) {
        return 0;
    }
    const double mean = sum_of(samples) / static_cast<double>(samples.size());
    std::array<double, 4> squares{};
    std::size_t i = 0;
    for (; i + 4 <= samples.size(); i += 4) {
        for (std::size_t j = 0; j < 4; ++j) {
            const double deviation = samples[i + j] - mean;
            squares[j] += deviation * deviation;
        }
    }
    for (; i < samples.size(); ++i) {
        squares[0] += (samples[i] - mean) * (samples[i] - mean);
    }
    const double total = (squares[0] + squares[1]) + (squares[2] + squares[3]);
    return std::sqrt(total / static_cast<double>(samples.size()));
}

}  // namespace

UADSCOPE_TARGET_CLONES SampleSummary summarize(std::span<const float> samples) {
    // The sum uses the four partial sums of sum_of() in the same order, so that the mean has the
    // same bits as remove_mean() computes. The extrema ride along in the same loop, eight
    // independent lanes so that the compiler vectorises them.
    std::array<double, 4> sums{};
    std::array<float, 8> minima{};
    std::array<float, 8> maxima{};
    minima.fill(samples.empty() ? 0.0f : samples[0]);
    maxima.fill(samples.empty() ? 0.0f : samples[0]);

    std::size_t i = 0;
    for (; i + 8 <= samples.size(); i += 8) {
        for (std::size_t j = 0; j < 4; ++j) {
            sums[j] += samples[i + j];
        }
        for (std::size_t j = 0; j < 4; ++j) {
            sums[j] += samples[i + 4 + j];
        }
        for (std::size_t j = 0; j < 8; ++j) {
            minima[j] = std::min(minima[j], samples[i + j]);
            maxima[j] = std::max(maxima[j], samples[i + j]);
        }
    }
    for (; i + 4 <= samples.size(); i += 4) {
        for (std::size_t j = 0; j < 4; ++j) {
            sums[j] += samples[i + j];
            minima[j] = std::min(minima[j], samples[i + j]);
            maxima[j] = std::max(maxima[j], samples[i + j]);
        }
    }
    for (; i < samples.size(); ++i) {
        sums[0] += samples[i];
        minima[0] = std::min(minima[0], samples[i]);
        maxima[0] = std::max(maxima[0], samples[i]);
    }

    SampleSummary summary;
    summary.known = true;
    summary.sum = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    summary.minimum = *std::min_element(minima.begin(), minima.end());
    summary.maximum = *std::max_element(maxima.begin(), maxima.end());
    return summary;
}

UADSCOPE_TARGET_CLONES void subtract_and_divide(std::span<float> samples, float mean,
                                                float divisor) {
    if (divisor == 1.0f) {
        if (mean != 0.0f) {
            for (float& value : samples) {
                value -= mean;
            }
        }
        return;
    }
    for (float& value : samples) {
        value = (value - mean) / divisor;
    }
}

UADSCOPE_TARGET_CLONES void remove_mean(std::span<float> samples) {
    if (samples.empty()) {
        return;
    }
    // The mean is rounded to float once and subtracted in float, as librosa's y - y.mean()
    // does on float32 samples.
    const auto mean = static_cast<float>(sum_of(samples) / static_cast<double>(samples.size()));
    for (float& value : samples) {
        value -= mean;
    }
}

UADSCOPE_TARGET_CLONES bool normalize(std::span<float> samples, Normalization normalization) {
    float divisor = 0;
    switch (normalization) {
        case Normalization::none:
            return true;
        case Normalization::absmax:
            divisor = absolute_maximum(samples);
            break;
        case Normalization::std:
            divisor = static_cast<float>(standard_deviation(samples));
            break;
    }
    if (divisor == 0) {
        return false;
    }
    // A float division, as librosa's y / max(abs(y)) on float32 samples, so that absmax
    // normalisation gives the same bits.
    for (float& value : samples) {
        value = value / divisor;
    }
    return true;
}

}  // namespace uadscope::audio
