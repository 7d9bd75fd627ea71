#include "analysis/student_t.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "core/error.h"

namespace uadscope::analysis {
namespace {

void check_dof(double dof) {
    if (!(dof > 0.0 && std::isfinite(dof))) {
        throw Error(fmt::format("Student t: {} degrees of freedom; use a positive number", dof));
    }
}

// Continued fraction of the regularized incomplete beta function, evaluated with the
// modified Lentz method (Press et al., Numerical Recipes, 3rd ed., section 6.4).
double incomplete_beta_fraction(double a, double b, double x) {
    constexpr double tiny = 1e-300;
    constexpr double tolerance = 1e-16;
    constexpr int max_iterations = 100000;
    const double qab = a + b;
    const double qap = a + 1.0;
    const double qam = a - 1.0;
    double c = 1.0;
    double d = 1.0 - qab * x / qap;
    if (std::fabs(d) < tiny) {
        d = tiny;
    }
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= max_iterations; ++m) {
        // Even step of the fraction.
        const double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < tiny) {
            d = tiny;
        }
        c = 1.0 + aa / c;
        if (std::fabs(c) < tiny) {
            c = tiny;
        }
        d = 1.0 / d;
        h *= d * c;

        // Odd step of the fraction.
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < tiny) {
            d = tiny;
        }
        c = 1.0 + aa / c;
        if (std::fabs(c) < tiny) {
            c = tiny;
        }
        d = 1.0 / d;
        const double step = d * c;
        h *= step;
        if (std::fabs(step - 1.0) < tolerance) {
            return h;
        }
    }
    UADSCOPE_ASSERT(!"incomplete beta continued fraction did not converge");
    return h;
}

// ln Gamma(a + 1/2) - ln Gamma(a). For large a the difference of two lgamma values would
// lose about log10(a ln a) digits, so it comes from the difference of the two Stirling
// series instead, term by term (truncation error below 1e-16 for a >= 20).
double log_gamma_half_ratio(double a) {
    if (a < 20.0) {
        return std::lgamma(a + 0.5) - std::lgamma(a);
    }
    // Stirling: ln Gamma(z) = (z - 1/2) ln z - z + ln(2 pi) / 2 + sum_k c_k / z^(2k - 1).
    constexpr double coefficients[] = {1.0 / 12.0, -1.0 / 360.0, 1.0 / 1260.0, -1.0 / 1680.0,
                                       1.0 / 1188.0};
    double ratio = a * std::log1p(0.5 / a) + 0.5 * std::log(a) - 0.5;
    double power = 1.0;
    for (const double coefficient : coefficients) {
        const double shifted = std::pow(a + 0.5, -power);
        const double plain = std::pow(a, -power);
        ratio += coefficient * (shifted - plain);
        power += 2.0;
    }
    return ratio;
}

// P(T <= -|t|) for Student's t with dof degrees of freedom, as I_x(dof / 2, 1 / 2) / 2 with
// x = dof / (dof + t^2). x and 1 - x and their logarithms are formed from t^2 / dof so that
// neither loses precision when x is close to 1 (large dof).
double student_t_lower_tail(double t, double dof) {
    const double a = dof / 2.0;
    const double b = 0.5;
    const double ratio = t * t / dof;
    const double x = 1.0 / (1.0 + ratio);
    const double y = ratio / (1.0 + ratio);
    if (ratio == 0.0) {
        return 0.5;
    }
    const double log_x = -std::log1p(ratio);
    const double log_y = std::log(ratio) - std::log1p(ratio);
    // ln B(a, 1/2) = ln Gamma(1/2) - (ln Gamma(a + 1/2) - ln Gamma(a)), ln Gamma(1/2) = ln
    // sqrt(pi).
    const double log_beta = 0.5 * std::log(std::numbers::pi) - log_gamma_half_ratio(a);
    const double front = std::exp(a * log_x + b * log_y - log_beta);
    // The fraction converges fast on this side of the mean; use the symmetry otherwise.
    double regularized = 0.0;
    if (x < (a + 1.0) / (a + b + 2.0)) {
        regularized = front * incomplete_beta_fraction(a, b, x) / a;
    } else {
        regularized = 1.0 - front * incomplete_beta_fraction(b, a, y) / b;
    }
    return 0.5 * regularized;
}

double student_t_density(double t, double dof) {
    const double log_density = log_gamma_half_ratio(dof / 2.0) -
                               0.5 * std::log(dof * std::numbers::pi) -
                               (dof + 1.0) / 2.0 * std::log1p(t * t / dof);
    return std::exp(log_density);
}

}  // namespace

double student_t_cdf(double t, double dof) {
    check_dof(dof);
    if (std::isnan(t)) {
        return t;
    }
    if (std::isinf(t)) {
        return t > 0 ? 1.0 : 0.0;
    }
    const double tail = student_t_lower_tail(t, dof);
    return t < 0 ? tail : 1.0 - tail;
}

double student_t_quantile(double p, double dof) {
    check_dof(dof);
    if (!(p > 0.0 && p < 1.0)) {
        throw Error(fmt::format("Student t quantile: probability {} is outside (0, 1)", p));
    }
    if (p > 0.5) {
        return -student_t_quantile(1.0 - p, dof);
    }
    if (p == 0.5) {
        return 0.0;
    }

    // Bracket the root in the lower tail by doubling, narrow it by bisection, then polish
    // with Newton steps kept inside the bracket.
    double low = -1.0;
    while (student_t_cdf(low, dof) > p) {
        low *= 2.0;
        if (!std::isfinite(low)) {
            return -std::numeric_limits<double>::infinity();
        }
    }
    double high = 0.0;
    for (int i = 0; i < 60 && high - low > 1e-6 * std::fabs(low); ++i) {
        const double middle = 0.5 * (low + high);
        (student_t_cdf(middle, dof) > p ? high : low) = middle;
    }
    double t = 0.5 * (low + high);
    for (int i = 0; i < 50; ++i) {
        const double step = (student_t_cdf(t, dof) - p) / student_t_density(t, dof);
        double next = t - step;
        if (next <= low || next >= high) {
            next = 0.5 * (low + high);
        }
        (student_t_cdf(next, dof) > p ? high : low) = next;
        if (std::fabs(next - t) <= 1e-15 * std::fabs(t)) {
            return next;
        }
        t = next;
    }
    return t;
}

}  // namespace uadscope::analysis
