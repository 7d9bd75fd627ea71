#pragma once

// Seeded random numbers that give the same sequence on every platform and compiler.
//
// The standard library's distributions differ between implementations, so uadscope draws
// from its own: a xoshiro256** generator (Blackman and Vigna 2018) seeded through
// splitmix64, with integer and real draws defined here.

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "core/error.h"

namespace uadscope {

class Rng {
  public:
    explicit Rng(std::uint64_t seed);

    // Next 64 random bits.
    std::uint64_t next();

    // Uniform integer in [0, bound); bound must be positive. Uses Lemire's unbiased method.
    std::uint64_t uniform_int(std::uint64_t bound);

    // Uniform double in [0, 1) with 53 random bits.
    double uniform01();

    // Uniform float in [low, high).
    float uniform(float low, float high);

    // Standard normal draw (Box-Muller on two uniform01 draws).
    double normal();

    // Shuffles `values` in place (Fisher-Yates with uniform_int).
    template <typename T>
    void shuffle(std::span<T> values) {
        for (std::size_t i = values.size(); i > 1; --i) {
            const auto j = static_cast<std::size_t>(uniform_int(i));
            std::swap(values[i - 1], values[j]);
        }
    }

    // Derives an independent generator for stream `stream` (one per thread or per item).
    Rng fork(std::uint64_t stream) const;

  private:
    std::uint64_t state_[4];
    std::uint64_t seed_;
};

// splitmix64 step: a good 64-bit mixing function, also used to derive seeds.
std::uint64_t splitmix64(std::uint64_t& state);

// next() and uniform_int() are defined here so that hot loops (the UMAP layout draws a
// billion samples) inline them.
inline std::uint64_t Rng::next() {
    const auto rotl = [](std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
}

inline std::uint64_t Rng::uniform_int(std::uint64_t bound) {
    UADSCOPE_ASSERT(bound > 0);
    __extension__ using uint128 = unsigned __int128;
    uint128 product = static_cast<uint128>(next()) * bound;
    auto low = static_cast<std::uint64_t>(product);
    if (low < bound) {
        const std::uint64_t threshold = -bound % bound;
        while (low < threshold) {
            product = static_cast<uint128>(next()) * bound;
            low = static_cast<std::uint64_t>(product);
        }
    }
    return static_cast<std::uint64_t>(product >> 64);
}

}  // namespace uadscope
