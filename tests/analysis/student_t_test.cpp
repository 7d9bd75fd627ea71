// Student's t quantile. Reference values are roots of scipy.special.stdtr(dof, t) = p
// found with scipy.optimize.brentq (xtol 1e-16, rtol 8.9e-16) under Debian's
// /usr/bin/python3 (scipy 1.10.1); stdtr (cephes) is accurate to a few ulp. scipy's own
// t.ppf is less accurate (about 1e-11 relative at small dof), so it is not the reference.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "analysis/student_t.h"
#include "core/error.h"

namespace uadscope::analysis {
namespace {

TEST(StudentTQuantile, MatchesReferenceRoots) {
    // 1e-13 relative covers the continued fraction's rounding up to 10^4 degrees of freedom.
    const std::vector<std::pair<double, double>> lower_tail_025 = {
        {1, -12.706204736174707},    {2, -4.302652729749463},     {3, -3.182446305283709},
        {10, -2.228138851986274},    {30, -2.042272456301238},    {100, -1.9839715185235514},
        {199, -1.9719565442517537},  {399, -1.9659272959208822},  {1000, -1.9623390808264085},
        {5999, -1.9603595074265647}, {8399, -1.9602464714216212},
    };
    for (const auto& [dof, expected] : lower_tail_025) {
        const double actual = student_t_quantile(0.025, dof);
        EXPECT_NEAR(actual, expected, 1e-13 * std::fabs(expected)) << "dof " << dof;
    }
}

TEST(StudentTQuantile, CauchyClosedForm) {
    // One degree of freedom is the Cauchy distribution: quantile tan(pi (p - 1/2)).
    for (const double p : {0.01, 0.2, 0.45, 0.7, 0.99}) {
        const double expected = std::tan(std::numbers::pi * (p - 0.5));
        EXPECT_NEAR(student_t_quantile(p, 1.0), expected, 1e-13 * std::fabs(expected)) << p;
    }
}

TEST(StudentTQuantile, SymmetricAndInvertsCdf) {
    EXPECT_EQ(student_t_quantile(0.5, 7.0), 0.0);
    // 1 - 0.975 is 0.025 + 2e-17 in double precision, hence a tolerance.
    EXPECT_NEAR(student_t_quantile(0.975, 7.0), -student_t_quantile(0.025, 7.0), 1e-14);
    for (const double p : {1e-10, 0.001, 0.3, 0.9}) {
        const double t = student_t_quantile(p, 7.0);
        EXPECT_NEAR(student_t_cdf(t, 7.0), p, 1e-14 + 1e-12 * p) << p;
    }
}

TEST(StudentTQuantile, RejectsInvalidArguments) {
    EXPECT_THROW(student_t_quantile(0.0, 5.0), Error);
    EXPECT_THROW(student_t_quantile(1.0, 5.0), Error);
    EXPECT_THROW(student_t_quantile(0.5, 0.0), Error);
    EXPECT_THROW(student_t_quantile(0.5, std::nan("")), Error);
}

}  // namespace
}  // namespace uadscope::analysis
