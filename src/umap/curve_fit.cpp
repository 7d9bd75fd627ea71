#include "umap/curve_fit.h"

#include <cmath>
#include <vector>

#include "core/error.h"

namespace uadscope::umap {
namespace {

constexpr int sample_count = 300;
constexpr int max_iterations = 500;

struct Sample {
    double x;
    double y;
};

double curve(double x, double a, double b) {
    return 1.0 / (1.0 + a * std::pow(x, 2.0 * b));
}

double squared_error(const std::vector<Sample>& samples, double a, double b) {
    double sum = 0.0;
    for (const Sample& sample : samples) {
        const double residual = curve(sample.x, a, b) - sample.y;
        sum += residual * residual;
    }
    return sum;
}

}  // namespace

CurveParameters find_ab_params(double spread, double min_dist) {
    UADSCOPE_ASSERT(spread > 0.0 && min_dist >= 0.0);
    // numpy.linspace(0, 3 * spread, 300).
    std::vector<Sample> samples(sample_count);
    for (int i = 0; i < sample_count; ++i) {
        const double x = 3.0 * spread * static_cast<double>(i) / (sample_count - 1);
        const double y = x < min_dist ? 1.0 : std::exp(-(x - min_dist) / spread);
        samples[static_cast<std::size_t>(i)] = {x, y};
    }

    // Levenberg-Marquardt with the analytic Jacobian of the two parameters.
    double a = 1.0;
    double b = 1.0;
    double lambda = 1e-3;
    double error = squared_error(samples, a, b);
    for (int iteration = 0; iteration < max_iterations; ++iteration) {
        double jtj_aa = 0.0;
        double jtj_ab = 0.0;
        double jtj_bb = 0.0;
        double jtr_a = 0.0;
        double jtr_b = 0.0;
        for (const Sample& sample : samples) {
            if (sample.x <= 0.0) {
                continue;  // f(0) = 1 for every a and b: no gradient, zero residual.
            }
            const double u = std::pow(sample.x, 2.0 * b);
            const double denominator = 1.0 + a * u;
            const double f = 1.0 / denominator;
            const double residual = f - sample.y;
            const double d_a = -u / (denominator * denominator);
            const double d_b = -a * u * 2.0 * std::log(sample.x) / (denominator * denominator);
            jtj_aa += d_a * d_a;
            jtj_ab += d_a * d_b;
            jtj_bb += d_b * d_b;
            jtr_a += d_a * residual;
            jtr_b += d_b * residual;
        }

        bool improved = false;
        while (lambda < 1e12) {
            const double m_aa = jtj_aa * (1.0 + lambda);
            const double m_bb = jtj_bb * (1.0 + lambda);
            const double determinant = m_aa * m_bb - jtj_ab * jtj_ab;
            const double step_a = -(m_bb * jtr_a - jtj_ab * jtr_b) / determinant;
            const double step_b = -(m_aa * jtr_b - jtj_ab * jtr_a) / determinant;
            const double candidate_error = squared_error(samples, a + step_a, b + step_b);
            if (std::isfinite(candidate_error) && candidate_error <= error) {
                const bool converged = std::fabs(step_a) <= 1e-12 * (1.0 + std::fabs(a)) &&
                                       std::fabs(step_b) <= 1e-12 * (1.0 + std::fabs(b));
                a += step_a;
                b += step_b;
                const double previous = error;
                error = candidate_error;
                lambda = std::max(lambda / 10.0, 1e-15);
                improved = !converged && previous - error > 1e-18 * previous;
                break;
            }
            lambda *= 10.0;
        }
        if (!improved) {
            break;
        }
    }
    return {a, b};
}

}  // namespace uadscope::umap
