#pragma once

// x^y for the SGD layout through polynomial log2 and exp2, without library calls, so that
// independent evaluations overlap in the CPU pipeline (the layout evaluates about six per
// edge sample). Relative error below 4e-6 for results between 1e-12 and 1e12, limited by
// the float product y * log2(x).

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>

namespace uadscope::umap {

// log2 of a positive normal float: the exponent plus the atanh series of the mantissa, taken
// in [sqrt(1/2), sqrt(2)) where the series falls fast.
inline float fast_log2(float x) {
    const auto bits = std::bit_cast<std::uint32_t>(x);
    int exponent = static_cast<int>((bits >> 23) & 0xffu) - 127;
    float mantissa = std::bit_cast<float>((bits & 0x7fffffu) | 0x3f800000u);
    if (mantissa > 1.41421356f) {
        mantissa *= 0.5f;
        exponent += 1;
    }
    const float t = (mantissa - 1.0f) / (mantissa + 1.0f);
    const float t2 = t * t;
    // (2 / ln 2) (t + t^3/3 + t^5/5 + t^7/7): |t| <= 0.172, so the next term is below 1e-7.
    constexpr float c = 2.88539008f;
    const float series = t * (c + t2 * (c / 3.0f + t2 * (c / 5.0f + t2 * (c / 7.0f))));
    return static_cast<float>(exponent) + series;
}

// 2^y for y in [-126, 126] (clamped): the integer part through the exponent bits, the
// fraction in [-0.5, 0.5] by the Taylor series of e^(f ln 2) to degree 6 (remainder below
// 2e-7).
inline float fast_exp2(float y) {
    y = std::fmin(126.0f, std::fmax(-126.0f, y));
    const int whole = static_cast<int>(y + (y >= 0.0f ? 0.5f : -0.5f));
    const float f = (y - static_cast<float>(whole)) * 0.693147181f;
    const float f2 = f * f;
    // Estrin's scheme: three independent pairs, then two combinations.
    const float low = 1.0f + f;
    const float middle = 0.5f + f * (1.0f / 6.0f);
    const float high = 1.0f / 24.0f + f * (1.0f / 120.0f);
    const float series = low + f2 * (middle + f2 * (high + f2 * (1.0f / 720.0f)));
    const float scale = std::bit_cast<float>(static_cast<std::uint32_t>(whole + 127) << 23);
    return series * scale;
}

// x^y for x > 0. Zero, subnormal, negative and NaN arguments take std::pow.
inline float fast_pow(float x, float y) {
    if (!(x >= FLT_MIN)) {
        return std::pow(x, y);
    }
    return fast_exp2(y * fast_log2(x));
}

// Functions taking these vectors are inlined, so the ABI note GCC gives for 32-byte vectors
// without AVX does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

// Eight floats for GCC's vector extensions: two SSE registers on every x86-64 (one AVX
// register where the compiler may use it). The layout updates one edge per lane.
inline constexpr int vector_lanes = 8;
using FloatVector = float __attribute__((vector_size(4 * vector_lanes)));
using IntVector = std::int32_t __attribute__((vector_size(4 * vector_lanes)));

// fast_pow on all lanes at once, without branches. Lanes with x below FLT_MIN give
// meaningless values, which callers mask.
[[gnu::always_inline]] inline FloatVector fast_pow(FloatVector x, float y) {
    const auto bits = std::bit_cast<IntVector>(x);
    IntVector exponent = ((bits >> 23) & 0xff) - 127;
    FloatVector mantissa = std::bit_cast<FloatVector>((bits & 0x7fffff) | 0x3f800000);
    const IntVector upper = mantissa > 1.41421356f;  // -1 where true
    mantissa = upper ? mantissa * 0.5f : mantissa;
    exponent -= upper;
    const FloatVector t = (mantissa - 1.0f) / (mantissa + 1.0f);
    const FloatVector t2 = t * t;
    constexpr float c = 2.88539008f;
    const FloatVector log2 = __builtin_convertvector(exponent, FloatVector) +
                             t * (c + t2 * (c / 3.0f + t2 * (c / 5.0f + t2 * (c / 7.0f))));

    FloatVector power = y * log2;
    power = power > 126.0f ? 126.0f : power;
    power = power < -126.0f ? -126.0f : power;
    const FloatVector rounding = power >= 0.0f ? 0.5f : -0.5f;
    const IntVector whole = __builtin_convertvector(power + rounding, IntVector);
    const FloatVector f = (power - __builtin_convertvector(whole, FloatVector)) * 0.693147181f;
    const FloatVector f2 = f * f;
    const FloatVector low = 1.0f + f;
    const FloatVector middle = 0.5f + f * (1.0f / 6.0f);
    const FloatVector high = 1.0f / 24.0f + f * (1.0f / 120.0f);
    const FloatVector series = low + f2 * (middle + f2 * (high + f2 * (1.0f / 720.0f)));
    const FloatVector scale = std::bit_cast<FloatVector>((whole + 127) << 23);
    return series * scale;
}

}  // namespace uadscope::umap
