#pragma once

// Squared Euclidean distance between two float vectors, with the widest SIMD instruction
// set the CPU offers chosen at run time (AVX-512, AVX2 with FMA, or plain C++), so that a
// default build without -march=native still uses the vector units.

#include <cstddef>
#include <cstdint>

namespace uadscope::neighbors {

// Signature of a squared-distance kernel: a and b point to d floats each.
using SquaredL2Function = float (*)(const float* a, const float* b, std::size_t d);

// Returns the fastest kernel for this CPU. Every kernel returns the sum of squared
// differences; they differ only in the order of float additions.
SquaredL2Function squared_l2_kernel();

// Name of the instruction set behind squared_l2_kernel(): "avx512", "avx2" or "scalar".
const char* squared_l2_kernel_name();

// Plain C++ kernel (the reference for tests).
float squared_l2_scalar(const float* a, const float* b, std::size_t d);

// Squared distance between two vectors of d IEEE half-precision values (binary16 bit
// patterns), accumulated in float.
using SquaredL2HalfFunction = float (*)(const std::uint16_t* a, const std::uint16_t* b,
                                        std::size_t d);

// The half-precision kernel for this CPU, or nullptr when it has no hardware conversion
// (F16C with AVX2, or AVX-512).
SquaredL2HalfFunction squared_l2_half_kernel();

// Converts d floats to half precision (round to nearest even); values beyond the half range
// become infinite. Requires squared_l2_half_kernel() != nullptr.
void floats_to_half(const float* values, std::uint16_t* halves, std::size_t d);

}  // namespace uadscope::neighbors
