#pragma once

// Student's t distribution, for the confidence interval of the DCASE 2023 evaluator's
// jackknife (scipy.stats.t.ppf there).

namespace uadscope::analysis {

// Returns the cumulative distribution function of Student's t with `dof` degrees of
// freedom at t. Throws Error when dof is not positive and finite.
double student_t_cdf(double t, double dof);

// Returns the quantile (inverse CDF) of Student's t with `dof` degrees of freedom at
// probability p. Throws Error when p is outside (0, 1) or dof is not positive and finite.
// NOTE: accurate to about 1e-13 relative up to 1e4 degrees of freedom; the continued
// fraction's rounding grows with dof (4e-13 at 1e5, 1e-9 at 1e9).
double student_t_quantile(double p, double dof);

}  // namespace uadscope::analysis
