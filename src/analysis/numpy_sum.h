#pragma once

// Summation in the exact floating-point order of numpy 1.24, so that means and areas match
// the official DCASE evaluators bit for bit (those run on numpy).

#include <cstddef>
#include <span>

namespace uadscope::analysis {

// Sums `values` like numpy's `np.add.reduce` over one contiguous float64 vector, which
// np.sum, np.mean and np.trapz use. Blocks of 8192 elements are added left to right. Each
// block is summed by numpy's pairwise routine: a plain loop below 8 elements, eight
// interleaved accumulators up to 128, recursive halving above.
double numpy_sum(std::span<const double> values);

// Sums `values` strictly left to right, like numpy's reduction along a non-contiguous axis
// (np.mean(matrix, axis=0) of a row-major matrix).
double sequential_sum(std::span<const double> values);

}  // namespace uadscope::analysis
