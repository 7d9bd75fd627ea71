#pragma once

// The a and b of UMAP's low-dimensional membership curve 1 / (1 + a * x^(2b)).

namespace uadscope::umap {

struct CurveParameters {
    double a = 0.0;
    double b = 0.0;
};

// Least-squares fit of 1 / (1 + a * x^(2b)) to the offset exponential 1 for x < min_dist and
// exp(-(x - min_dist) / spread) otherwise, on 300 points evenly spaced over [0, 3 * spread],
// starting from a = b = 1: umap-learn 0.5's find_ab_params, which calls scipy's curve_fit
// (Levenberg-Marquardt). Gives a = 1.577, b = 0.895 for min_dist 0.1 and spread 1.
// Requires spread > 0 and 0 <= min_dist.
CurveParameters find_ab_params(double spread, double min_dist);

}  // namespace uadscope::umap
