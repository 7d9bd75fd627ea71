#include "core/random.h"

#include <cmath>
#include <numbers>

#include "core/error.h"

namespace uadscope {

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

Rng::Rng(std::uint64_t seed) : seed_(seed) {
    std::uint64_t mix = seed;
    for (auto& word : state_) {
        word = splitmix64(mix);
    }
}

double Rng::uniform01() {
    return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

float Rng::uniform(float low, float high) {
    return low + static_cast<float>(uniform01()) * (high - low);
}

double Rng::normal() {
    // 1 - uniform01() lies in (0, 1], so the logarithm stays finite.
    const double u1 = 1.0 - uniform01();
    const double u2 = uniform01();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

Rng Rng::fork(std::uint64_t stream) const {
    std::uint64_t mix = seed_ ^ (0xd1b54a32d192ed03ULL * (stream + 1));
    return Rng(splitmix64(mix));
}

}  // namespace uadscope
