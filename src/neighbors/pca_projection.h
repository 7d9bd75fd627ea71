#pragma once

// Projection of rows onto their leading principal components (internal to neighbors), used
// to search wide data in fewer columns.

#include <cstddef>
#include <span>
#include <vector>

namespace uadscope::neighbors::detail {

struct PcaProjection {
    std::size_t d = 0;              // input columns
    std::size_t p = 0;              // output columns
    std::vector<float> mean;        // [d]
    std::vector<float> components;  // [d, p], column c is the c-th principal axis
    // Fraction of the total variance on the p kept axes, in [0, 1].
    double retained_variance = 1.0;
};

// Fits p <= d principal axes of `data` (n x d) from its covariance, estimated on every
// step-th row with step = max(1, n / 20000).
PcaProjection fit_pca(std::span<const float> data, std::size_t n, std::size_t d, std::size_t p,
                      int jobs);

// Returns the projections of `rows` (n x d) onto the axes, [n, p]. Callers running this
// with jobs > 1 or from several threads hold a SingleThreadedBlas.
std::vector<float> project_rows(const PcaProjection& projection, std::span<const float> rows,
                                std::size_t n, int jobs);

}  // namespace uadscope::neighbors::detail
