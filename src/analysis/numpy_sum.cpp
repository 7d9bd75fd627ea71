#include "analysis/numpy_sum.h"

#include <algorithm>

namespace uadscope::analysis {
namespace {

// numpy's buffer size for ufunc reductions and the block size of its pairwise routine
// (numpy/core/src/umath/loops_utils.h.src, NPY_BUFSIZE).
constexpr std::size_t reduce_buffer_size = 8192;
constexpr std::size_t pairwise_block_size = 128;

double pairwise_sum(const double* a, std::size_t n) {
    if (n < 8) {
        double sum = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            sum += a[i];
        }
        return sum;
    }
    if (n <= pairwise_block_size) {
        double r[8];
        for (std::size_t j = 0; j < 8; ++j) {
            r[j] = a[j];
        }
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8) {
            for (std::size_t j = 0; j < 8; ++j) {
                r[j] += a[i + j];
            }
        }
        double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) {
            sum += a[i];
        }
        return sum;
    }
    std::size_t half = n / 2;
    half -= half % 8;
    return pairwise_sum(a, half) + pairwise_sum(a + half, n - half);
}

}  // namespace

double numpy_sum(std::span<const double> values) {
    double sum = 0.0;
    for (std::size_t start = 0; start < values.size(); start += reduce_buffer_size) {
        const std::size_t count = std::min(reduce_buffer_size, values.size() - start);
        sum += pairwise_sum(values.data() + start, count);
    }
    return sum;
}

double sequential_sum(std::span<const double> values) {
    double sum = 0.0;
    for (const double value : values) {
        sum += value;
    }
    return sum;
}

}  // namespace uadscope::analysis
