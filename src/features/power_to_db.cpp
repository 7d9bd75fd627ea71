#include "features/power_to_db.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>

#include "audio/target_clones.h"
#include "core/error.h"

namespace uadscope::features {
namespace {

// Returns 10 log10(x) for a normal positive float, within 2e-5 dB of the exact value.
// With x = m * 2^e and m in [sqrt(1/2), sqrt(2)), ln(m) = 2 atanh(s) where s = (m - 1) / (m + 1).
// Because |s| <= 0.172, the series up to s^9 leaves a relative error below 3e-9, far below float
// rounding. The function makes no library calls, so that the compiler vectorises the loops that
// call it (std::log10 took most of the feature time).
inline float decibels(float x) {
    // Subtracting the bits of sqrt(1/2) moves the mantissa range to [sqrt(1/2), sqrt(2)).
    constexpr std::uint32_t sqrt_half_bits = 0x3f3504f3;
    const std::uint32_t shifted = std::bit_cast<std::uint32_t>(x) - sqrt_half_bits;
    const auto exponent = static_cast<float>(static_cast<std::int32_t>(shifted) >> 23);
    const float mantissa = std::bit_cast<float>((shifted & 0x007fffffU) + sqrt_half_bits);

    const float s = (mantissa - 1.0f) / (mantissa + 1.0f);
    const float s2 = s * s;
    const float ln_mantissa =
        2.0f * s * (1.0f + s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9)))));
    constexpr float db_per_ln = 4.342944819f;      // 10 / ln(10)
    constexpr float db_per_octave = 3.010299957f;  // 10 log10(2)
    return exponent * db_per_octave + ln_mantissa * db_per_ln;
}

// Largest value, or 0 when none is positive. Non-negative floats order like their bit
// patterns read as int32, and the integer maximum vectorises where a float one does not.
float maximum_of(std::span<const float> values) {
    std::int32_t maximum = 0;
    for (const float value : values) {
        maximum = std::max(maximum, std::bit_cast<std::int32_t>(value));
    }
    return std::bit_cast<float>(maximum);
}

}  // namespace

DbScale parse_db_scale(std::string_view text) {
    if (text == "librosa") {
        return DbScale::librosa;
    }
    if (text == "dcase_baseline") {
        return DbScale::dcase_baseline;
    }
    throw Error(fmt::format("invalid dB scale '{}': expected librosa or dcase_baseline", text));
}

std::string_view to_string(DbScale scale) {
    switch (scale) {
        case DbScale::librosa:
            return "librosa";
        case DbScale::dcase_baseline:
            return "dcase_baseline";
    }
    UADSCOPE_ASSERT(false);
}

UADSCOPE_TARGET_CLONES void power_to_db(std::span<const float> power, std::span<float> db,
                                        const DbOptions& options) {
    UADSCOPE_ASSERT(power.size() == db.size());
    // decibels() needs normal floats, so every floor is at least FLT_MIN (about 1.2e-38).
    if (options.scale == DbScale::dcase_baseline) {
        // NOTE: the baselines compute log10(S + DBL_EPSILON); max(S, DBL_EPSILON) equals it to
        // within 0.01 dB for S above 1e-13 and needs no extra rounding step.
        const auto floor = static_cast<float>(DBL_EPSILON);
        for (std::size_t i = 0; i < power.size(); ++i) {
            db[i] = decibels(std::max(power[i], floor));
        }
        return;
    }

    if (!(options.amin >= FLT_MIN) || !(options.ref > 0) || !(options.top_db > 0)) {
        throw Error(
            fmt::format("invalid power_to_db options ref {}, amin {}, top_db {}: expected "
                        "ref > 0, amin >= {} and top_db > 0 (inf for no clamp)",
                        options.ref, options.amin, options.top_db, FLT_MIN));
    }
    if (power.empty()) {
        return;
    }
    const auto floor = static_cast<float>(options.amin);
    const auto offset = static_cast<float>(10.0 * std::log10(std::max(options.amin, options.ref)));
    // The clamp is relative to the largest dB value, which is the dB value of the largest power.
    const float maximum_db = decibels(std::max(maximum_of(power), floor)) - offset;
    const float lowest =
        std::isfinite(options.top_db) ? static_cast<float>(maximum_db - options.top_db) : -INFINITY;
    for (std::size_t i = 0; i < power.size(); ++i) {
        const float value = decibels(std::max(power[i], floor)) - offset;
        db[i] = value > lowest ? value : lowest;
    }
}

void power_to_db(std::span<float> values, const DbOptions& options) {
    power_to_db(values, values, options);
}

}  // namespace uadscope::features
