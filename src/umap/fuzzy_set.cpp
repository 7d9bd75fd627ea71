#include "umap/fuzzy_set.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/parallel.h"

namespace uadscope::umap {
namespace {

constexpr std::size_t rows_per_task = 4096;

// rho of one row (umap-learn's interpolation between the non-zero distances around
// local_connectivity); `values` is the row as umap-learn sees it.
float local_rho(std::span<const float> values, float local_connectivity) {
    std::vector<float> non_zero;
    non_zero.reserve(values.size());
    for (const float value : values) {
        if (value > 0.0f) {
            non_zero.push_back(value);
        }
    }
    if (non_zero.empty()) {
        return 0.0f;
    }
    if (static_cast<float>(non_zero.size()) < local_connectivity) {
        return *std::max_element(non_zero.begin(), non_zero.end());
    }
    const auto index = static_cast<std::size_t>(std::floor(local_connectivity));
    const float interpolation = local_connectivity - static_cast<float>(index);
    if (index == 0) {
        return interpolation * non_zero[0];
    }
    float rho = non_zero[index - 1];
    if (interpolation > smooth_knn_tolerance && index < non_zero.size()) {
        rho += interpolation * (non_zero[index] - non_zero[index - 1]);
    }
    return rho;
}

}  // namespace

SmoothKnnResult smooth_knn_distances(std::span<const float> distances, std::size_t n,
                                     std::size_t row_length, float n_neighbors,
                                     float local_connectivity, bool self_in_front, int jobs) {
    UADSCOPE_ASSERT(distances.size() == n * row_length);
    const double target = std::log2(static_cast<double>(n_neighbors));
    // Length of each row as umap-learn sees it.
    const std::size_t length = row_length + (self_in_front ? 1 : 0);

    double total = 0.0;
    for (const float value : distances) {
        total += value;
    }
    const double mean_distance = n * length > 0 ? total / static_cast<double>(n * length) : 0.0;

    SmoothKnnResult result;
    result.sigmas.assign(n, 0.0f);
    result.rhos.assign(n, 0.0f);
    const std::size_t tasks = (n + rows_per_task - 1) / rows_per_task;
    parallel_for(tasks, jobs, [&](std::size_t task, int) {
        std::vector<float> values(length);
        const std::size_t end = std::min(n, (task + 1) * rows_per_task);
        for (std::size_t i = task * rows_per_task; i < end; ++i) {
            const auto row = distances.subspan(i * row_length, row_length);
            if (self_in_front) {
                values[0] = 0.0f;
            }
            std::copy(row.begin(), row.end(), values.begin() + (self_in_front ? 1 : 0));
            const float rho = local_rho(values, local_connectivity);

            float lo = 0.0f;
            float hi = std::numeric_limits<float>::infinity();
            float mid = 1.0f;
            for (int iteration = 0; iteration < smooth_knn_iterations; ++iteration) {
                // umap-learn skips position 0: the point itself in a fit, the nearest
                // reference row in a transform.
                float psum = 0.0f;
                for (std::size_t j = 1; j < length; ++j) {
                    const float d = values[j] - rho;
                    psum += d > 0.0f ? std::exp(-(d / mid)) : 1.0f;
                }
                if (std::fabs(static_cast<double>(psum) - target) < smooth_knn_tolerance) {
                    break;
                }
                if (psum > target) {
                    hi = mid;
                    mid = (lo + hi) / 2.0f;
                } else {
                    lo = mid;
                    if (std::isinf(hi)) {
                        mid *= 2.0f;
                    } else {
                        mid = (lo + hi) / 2.0f;
                    }
                }
            }

            float sigma = mid;
            if (rho > 0.0f) {
                double row_sum = 0.0;
                for (const float value : values) {
                    row_sum += value;
                }
                const auto floor =
                    static_cast<float>(min_k_dist_scale * row_sum / static_cast<double>(length));
                sigma = std::max(sigma, floor);
            } else {
                sigma = std::max(sigma, static_cast<float>(min_k_dist_scale * mean_distance));
            }
            result.sigmas[i] = sigma;
            result.rhos[i] = rho;
        }
    });
    return result;
}

float membership_strength(float distance, float rho, float sigma) {
    if (distance - rho <= 0.0f || sigma == 0.0f) {
        return 1.0f;
    }
    return std::exp(-((distance - rho) / sigma));
}

SparseGraph fuzzy_simplicial_set(const neighbors::KnnGraph& knn, float n_neighbors,
                                 float local_connectivity, float set_op_mix_ratio, int jobs) {
    const std::size_t n = knn.n;
    const auto k = static_cast<std::size_t>(knn.k);
    const SmoothKnnResult smooth =
        smooth_knn_distances(knn.distances, n, k, n_neighbors, local_connectivity, true, jobs);

    // Directed memberships, each row sorted by column.
    std::vector<std::int32_t> forward_columns(n * k);
    std::vector<float> forward_weights(n * k);
    parallel_for((n + rows_per_task - 1) / rows_per_task, jobs, [&](std::size_t task, int) {
        std::vector<std::pair<std::int32_t, float>> row;
        const std::size_t end = std::min(n, (task + 1) * rows_per_task);
        for (std::size_t i = task * rows_per_task; i < end; ++i) {
            row.clear();
            const auto indices = knn.row_indices(i);
            const auto distances = knn.row_distances(i);
            for (std::size_t j = 0; j < k; ++j) {
                row.emplace_back(indices[j], membership_strength(distances[j], smooth.rhos[i],
                                                                 smooth.sigmas[i]));
            }
            std::sort(row.begin(), row.end());
            for (std::size_t j = 0; j < k; ++j) {
                forward_columns[i * k + j] = row[j].first;
                forward_weights[i * k + j] = row[j].second;
            }
        }
    });

    // The transpose by counting sort on the column: rows come out in increasing order
    // within each transposed row because the source rows are visited in order.
    std::vector<std::int64_t> transpose_offsets(n + 1, 0);
    for (const std::int32_t column : forward_columns) {
        ++transpose_offsets[static_cast<std::size_t>(column) + 1];
    }
    for (std::size_t i = 0; i < n; ++i) {
        transpose_offsets[i + 1] += transpose_offsets[i];
    }
    std::vector<std::int32_t> transpose_columns(n * k);
    std::vector<float> transpose_weights(n * k);
    {
        std::vector<std::int64_t> cursor(transpose_offsets.begin(), transpose_offsets.end() - 1);
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < k; ++j) {
                const auto column = static_cast<std::size_t>(forward_columns[i * k + j]);
                const auto position = static_cast<std::size_t>(cursor[column]++);
                transpose_columns[position] = static_cast<std::int32_t>(i);
                transpose_weights[position] = forward_weights[i * k + j];
            }
        }
    }

    // Merge row i of A with row i of A^T: a = A[i, j], b = A[j, i].
    SparseGraph graph;
    graph.n_rows = n;
    graph.n_cols = n;
    graph.row_offsets.assign(n + 1, 0);
    graph.columns.reserve(2 * n * k);
    graph.weights.reserve(2 * n * k);
    const float mix = set_op_mix_ratio;
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t f = i * k;
        const std::size_t f_end = f + k;
        auto t = static_cast<std::size_t>(transpose_offsets[i]);
        const auto t_end = static_cast<std::size_t>(transpose_offsets[i + 1]);
        while (f < f_end || t < t_end) {
            std::int32_t column = 0;
            float a = 0.0f;
            float b = 0.0f;
            if (t == t_end || (f < f_end && forward_columns[f] < transpose_columns[t])) {
                column = forward_columns[f];
                a = forward_weights[f++];
            } else if (f == f_end || transpose_columns[t] < forward_columns[f]) {
                column = transpose_columns[t];
                b = transpose_weights[t++];
            } else {
                column = forward_columns[f];
                a = forward_weights[f++];
                b = transpose_weights[t++];
            }
            const float product = a * b;
            const float value = mix * (a + b - product) + (1.0f - mix) * product;
            if (value != 0.0f && static_cast<std::size_t>(column) != i) {
                graph.columns.push_back(column);
                graph.weights.push_back(value);
            }
        }
        graph.row_offsets[i + 1] = static_cast<std::int64_t>(graph.columns.size());
    }
    return graph;
}

}  // namespace uadscope::umap
