#include "umap/quality.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "core/parallel.h"
#include "neighbors/blas_threads.h"

namespace uadscope::umap {
namespace {

constexpr std::size_t block_rows = 128;

using Ranked = std::pair<double, std::size_t>;  // (squared distance, row)

// The k nearest rows of `row` by the squared distances `squared` (self excluded), ordered
// by distance and then by row index.
std::vector<std::size_t> nearest(const std::vector<double>& squared, std::size_t row, int k) {
    std::vector<Ranked> ranked;
    ranked.reserve(squared.size() - 1);
    for (std::size_t j = 0; j < squared.size(); ++j) {
        if (j != row) {
            ranked.emplace_back(squared[j], j);
        }
    }
    const auto middle = ranked.begin() + k;
    std::partial_sort(ranked.begin(), middle, ranked.end());
    std::vector<std::size_t> result(static_cast<std::size_t>(k));
    for (std::size_t j = 0; j < result.size(); ++j) {
        result[j] = ranked[j].second;
    }
    return result;
}

}  // namespace

MapQuality map_quality(std::span<const float> data, std::size_t n, std::size_t d,
                       std::span<const float> embedding, std::size_t dim, int k, int jobs) {
    UADSCOPE_ASSERT(data.size() == n * d);
    UADSCOPE_ASSERT(embedding.size() == n * dim);
    if (k < 1 || 2 * static_cast<std::size_t>(k) >= n) {
        throw Error(fmt::format(
            "map quality: k = {} neighbours with {} rows; k must be at least 1 and below n / 2", k,
            n));
    }
    const int threads = resolve_jobs(jobs);

    // Input rows centred and in double, so that |x|^2 + |y|^2 - 2 x.y keeps the ranks of
    // near-equal distances (scikit-learn also computes them in double).
    std::vector<double> mean(d, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < d; ++j) {
            mean[j] += data[i * d + j];
        }
    }
    for (auto& value : mean) {
        value /= static_cast<double>(n);
    }
    std::vector<double> centred(n * d);
    std::vector<double> norms(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < d; ++j) {
            const double value = data[i * d + j] - mean[j];
            centred[i * d + j] = value;
            norms[i] += value * value;
        }
    }

    std::vector<double> row_penalty(n, 0.0);
    std::vector<double> row_overlap(n, 0.0);
    const std::size_t blocks = (n + block_rows - 1) / block_rows;
    const neighbors::detail::SingleThreadedBlas single_threaded_blas;
    parallel_for(blocks, threads, [&](std::size_t block, int) {
        const std::size_t begin = block * block_rows;
        const std::size_t rows = std::min(n, begin + block_rows) - begin;
        std::vector<double> products(rows * n);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows),
                    static_cast<int>(n), static_cast<int>(d), 1.0, centred.data() + begin * d,
                    static_cast<int>(d), centred.data(), static_cast<int>(d), 0.0, products.data(),
                    static_cast<int>(n));
        std::vector<double> input(n);
        std::vector<double> embedded(n);
        for (std::size_t r = 0; r < rows; ++r) {
            const std::size_t i = begin + r;
            for (std::size_t j = 0; j < n; ++j) {
                input[j] = std::max(0.0, norms[i] + norms[j] - 2.0 * products[r * n + j]);
                double squared = 0.0;
                for (std::size_t c = 0; c < dim; ++c) {
                    const double diff =
                        static_cast<double>(embedding[i * dim + c]) - embedding[j * dim + c];
                    squared += diff * diff;
                }
                embedded[j] = squared;
            }
            const auto input_nearest = nearest(input, i, k);
            const auto embedded_nearest = nearest(embedded, i, k);

            // Rank of each embedded neighbour among the input-space neighbours of i.
            double penalty = 0.0;
            for (const std::size_t j : embedded_nearest) {
                std::size_t rank = 1;
                for (std::size_t l = 0; l < n; ++l) {
                    if (l != i && (input[l] < input[j] || (input[l] == input[j] && l < j))) {
                        ++rank;
                    }
                }
                if (rank > static_cast<std::size_t>(k)) {
                    penalty += static_cast<double>(rank - static_cast<std::size_t>(k));
                }
            }
            row_penalty[i] = penalty;

            std::vector<std::size_t> sorted_input(input_nearest);
            std::sort(sorted_input.begin(), sorted_input.end());
            std::size_t shared = 0;
            for (const std::size_t j : embedded_nearest) {
                shared += std::binary_search(sorted_input.begin(), sorted_input.end(), j) ? 1 : 0;
            }
            row_overlap[i] = static_cast<double>(shared) / k;
        }
    });

    double penalty = 0.0;
    double overlap = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        penalty += row_penalty[i];
        overlap += row_overlap[i];
    }
    const auto rows = static_cast<double>(n);
    const auto neighbours = static_cast<double>(k);
    MapQuality quality;
    quality.trustworthiness =
        1.0 - penalty * (2.0 / (rows * neighbours * (2.0 * rows - 3.0 * neighbours - 1.0)));
    quality.knn_preservation = overlap / rows;
    quality.rows = n;
    quality.step = 1;
    quality.k = k;
    return quality;
}

MapQuality map_quality_subsampled(std::span<const float> data, std::size_t n, std::size_t d,
                                  std::span<const float> embedding, std::size_t dim, int k,
                                  std::size_t target_rows, int jobs) {
    UADSCOPE_ASSERT(data.size() == n * d);
    UADSCOPE_ASSERT(embedding.size() == n * dim);
    UADSCOPE_ASSERT(target_rows > 0);
    const std::size_t step = std::max<std::size_t>(1, n / target_rows);
    if (step == 1) {
        return map_quality(data, n, d, embedding, dim, k, jobs);
    }
    const std::size_t rows = (n + step - 1) / step;
    std::vector<float> sub_data(rows * d);
    std::vector<float> sub_embedding(rows * dim);
    for (std::size_t r = 0; r < rows; ++r) {
        std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(r * step * d), d,
                    sub_data.begin() + static_cast<std::ptrdiff_t>(r * d));
        std::copy_n(embedding.begin() + static_cast<std::ptrdiff_t>(r * step * dim), dim,
                    sub_embedding.begin() + static_cast<std::ptrdiff_t>(r * dim));
    }
    MapQuality quality = map_quality(sub_data, rows, d, sub_embedding, dim, k, jobs);
    quality.step = step;
    return quality;
}

}  // namespace uadscope::umap
