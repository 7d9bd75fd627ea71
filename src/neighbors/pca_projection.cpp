#include "neighbors/pca_projection.h"

#include <Eigen/Eigenvalues>

#include <algorithm>

#include "core/error.h"
#include "core/parallel.h"
#include "neighbors/blas_threads.h"

namespace uadscope::neighbors::detail {
namespace {

// Rows used to estimate the covariance: enough for the leading axes of a few hundred
// columns, and cheap (n_rows * d^2 flops).
constexpr std::size_t max_covariance_rows = 20000;
constexpr std::size_t block_rows = 1024;

}  // namespace

PcaProjection fit_pca(std::span<const float> data, std::size_t n, std::size_t d, std::size_t p,
                      int jobs) {
    UADSCOPE_ASSERT(data.size() == n * d);
    UADSCOPE_ASSERT(n > 0 && p >= 1 && p <= d);
    const std::size_t step = std::max<std::size_t>(1, n / max_covariance_rows);
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < n; i += step) {
        rows.push_back(i);
    }

    PcaProjection projection;
    projection.d = d;
    projection.p = p;
    std::vector<double> sum(d, 0.0);
    for (const std::size_t row : rows) {
        for (std::size_t j = 0; j < d; ++j) {
            sum[j] += data[row * d + j];
        }
    }
    projection.mean.resize(d);
    for (std::size_t j = 0; j < d; ++j) {
        projection.mean[j] = static_cast<float>(sum[j] / static_cast<double>(rows.size()));
    }

    // Covariance by blocks: ssyrk in float per block, accumulated in double.
    const std::size_t blocks = (rows.size() + block_rows - 1) / block_rows;
    const int threads = std::max(1, std::min(resolve_jobs(jobs), static_cast<int>(blocks)));
    std::vector<std::vector<double>> partial(static_cast<std::size_t>(threads),
                                             std::vector<double>(d * d, 0.0));
    {
        const SingleThreadedBlas single_threaded_blas;
        parallel_for(blocks, threads, [&](std::size_t block, int worker) {
            const std::size_t begin = block * block_rows;
            const std::size_t count = std::min(rows.size(), begin + block_rows) - begin;
            std::vector<float> centred(count * d);
            for (std::size_t i = 0; i < count; ++i) {
                const float* source = data.data() + rows[begin + i] * d;
                for (std::size_t j = 0; j < d; ++j) {
                    centred[i * d + j] = source[j] - projection.mean[j];
                }
            }
            std::vector<float> product(d * d, 0.0f);
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, static_cast<int>(d),
                        static_cast<int>(count), 1.0f, centred.data(), static_cast<int>(d), 0.0f,
                        product.data(), static_cast<int>(d));
            auto& target = partial[static_cast<std::size_t>(worker)];
            for (std::size_t i = 0; i < d; ++i) {
                for (std::size_t j = i; j < d; ++j) {
                    target[i * d + j] += product[i * d + j];
                }
            }
        });
    }
    Eigen::MatrixXd covariance =
        Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(d));
    for (const auto& values : partial) {
        for (std::size_t i = 0; i < d; ++i) {
            for (std::size_t j = i; j < d; ++j) {
                const auto r = static_cast<Eigen::Index>(i);
                const auto c = static_cast<Eigen::Index>(j);
                covariance(r, c) += values[i * d + j];
                covariance(c, r) = covariance(r, c);
            }
        }
    }

    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(covariance);
    UADSCOPE_ASSERT(solver.info() == Eigen::Success);
    // Eigen sorts eigenvalues in increasing order, so the leading axes are the last columns.
    const Eigen::VectorXd& eigenvalues = solver.eigenvalues();
    const Eigen::MatrixXd& eigenvectors = solver.eigenvectors();
    double total = 0.0;
    double kept = 0.0;
    for (Eigen::Index i = 0; i < eigenvalues.size(); ++i) {
        const double value = std::max(0.0, eigenvalues(i));
        total += value;
        if (i >= static_cast<Eigen::Index>(d - p)) {
            kept += value;
        }
    }
    projection.retained_variance = total > 0.0 ? kept / total : 1.0;
    projection.components.resize(d * p);
    for (std::size_t c = 0; c < p; ++c) {
        const auto column = static_cast<Eigen::Index>(d - 1 - c);
        for (std::size_t j = 0; j < d; ++j) {
            projection.components[j * p + c] =
                static_cast<float>(eigenvectors(static_cast<Eigen::Index>(j), column));
        }
    }
    return projection;
}

std::vector<float> project_rows(const PcaProjection& projection, std::span<const float> rows,
                                std::size_t n, int jobs) {
    const std::size_t d = projection.d;
    const std::size_t p = projection.p;
    UADSCOPE_ASSERT(rows.size() == n * d);
    std::vector<float> result(n * p);
    const std::size_t blocks = (n + block_rows - 1) / block_rows;
    parallel_for(blocks, jobs, [&](std::size_t block, int) {
        const std::size_t begin = block * block_rows;
        const std::size_t count = std::min(n, begin + block_rows) - begin;
        std::vector<float> centred(count * d);
        for (std::size_t i = 0; i < count; ++i) {
            const float* source = rows.data() + (begin + i) * d;
            for (std::size_t j = 0; j < d; ++j) {
                centred[i * d + j] = source[j] - projection.mean[j];
            }
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(count),
                    static_cast<int>(p), static_cast<int>(d), 1.0f, centred.data(),
                    static_cast<int>(d), projection.components.data(), static_cast<int>(p), 0.0f,
                    result.data() + begin * p, static_cast<int>(p));
    });
    return result;
}

}  // namespace uadscope::neighbors::detail
