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

}  // namespace uadscope
