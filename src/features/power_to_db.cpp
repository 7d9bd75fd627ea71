#include "features/power_to_db.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>

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

// Returns an int32 that orders like the float `value`, for any value but NaN. Negative floats
// have their magnitude bits flipped, so that a larger magnitude gives a smaller key.
inline std::int32_t order_key(float value) {
    const auto bits = std::bit_cast<std::int32_t>(value);
    return bits ^ ((bits >> 31) & 0x7fffffff);
}

inline float from_order_key(std::int32_t key) {
    return std::bit_cast<float>(key ^ ((key >> 31) & 0x7fffffff));
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

DbConverter::DbConverter(const DbOptions& options) : options_(options) {
    // decibels() needs normal floats, so every floor is at least FLT_MIN (about 1.2e-38).
    if (options.scale == DbScale::dcase_baseline) {
        // NOTE: the baselines compute log10(S + DBL_EPSILON); max(S, DBL_EPSILON) equals it to
        // within 0.01 dB for S above 1e-13 and needs no extra rounding step.
        floor_ = static_cast<float>(DBL_EPSILON);
        return;
    }
    if (!(options.amin >= FLT_MIN) || !(options.ref > 0) || !(options.top_db > 0)) {
        throw Error(
            fmt::format("invalid power_to_db options ref {}, amin {}, top_db {}: expected "
                        "ref > 0, amin >= {} and top_db > 0 (inf for no clamp)",
                        options.ref, options.amin, options.top_db, FLT_MIN));
    }
    floor_ = static_cast<float>(options.amin);
    offset_ = static_cast<float>(10.0 * std::log10(std::max(options.amin, options.ref)));
}

UADSCOPE_TARGET_CLONES void DbConverter::convert(std::span<const float> power, std::span<float> db,
                                                 std::size_t row_length) {
    UADSCOPE_ASSERT(power.size() == db.size());
    if (options_.scale == DbScale::dcase_baseline) {
        for (std::size_t i = 0; i < power.size(); ++i) {
            db[i] = decibels(std::max(power[i], floor_));
        }
        return;
    }
    UADSCOPE_ASSERT(row_length > 0 && power.size() % row_length == 0);
    UADSCOPE_ASSERT(row_length_ == 0 || row_length_ == row_length);
    row_length_ = row_length;
    const float floor = floor_;
    const float offset = offset_;
    std::int32_t maximum = maximum_bits_;
    for (std::size_t first = 0; first < power.size(); first += row_length) {
        const float* __restrict row = power.data() + first;
        float* __restrict out = db.data() + first;
        std::int32_t minimum_key = std::numeric_limits<std::int32_t>::max();
        for (std::size_t k = 0; k < row_length; ++k) {
            // Integer maxima and minima vectorise where float ones do not. Non-negative floats
            // order like their bit patterns read as int32, and order_key() extends that order
            // to negative values.
            maximum = std::max(maximum, std::bit_cast<std::int32_t>(row[k]));
            const float value = decibels(std::max(row[k], floor)) - offset;
            out[k] = value;
            minimum_key = std::min(minimum_key, order_key(value));
        }
        row_minima_.push_back(from_order_key(minimum_key));
    }
    maximum_bits_ = maximum;
}

UADSCOPE_TARGET_CLONES void DbConverter::finish(std::span<float> db) const {
    if (options_.scale == DbScale::dcase_baseline || !std::isfinite(options_.top_db)) {
        return;
    }
    UADSCOPE_ASSERT(db.size() == row_minima_.size() * row_length_);
    // The clamp is relative to the largest dB value, which is the dB value of the largest power.
    const float maximum_db =
        decibels(std::max(std::bit_cast<float>(maximum_bits_), floor_)) - offset_;
    const auto lowest = static_cast<float>(maximum_db - options_.top_db);
    for (std::size_t r = 0; r < row_minima_.size(); ++r) {
        if (!(row_minima_[r] < lowest)) {
            continue;
        }
        float* row = db.data() + r * row_length_;
        for (std::size_t k = 0; k < row_length_; ++k) {
            row[k] = row[k] > lowest ? row[k] : lowest;
        }
    }
}

void power_to_db(std::span<const float> power, std::span<float> db, const DbOptions& options) {
    UADSCOPE_ASSERT(power.size() == db.size());
    DbConverter converter(options);
    if (power.empty()) {
        return;
    }
    converter.convert(power, db, power.size());
    converter.finish(db);
}

void power_to_db(std::span<float> values, const DbOptions& options) {
    power_to_db(values, values, options);
}

}  // namespace uadscope::features
