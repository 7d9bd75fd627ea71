#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"
#include "neighbors/blas_threads.h"
#include "neighbors/exact_search.h"
#include "neighbors/knn_graph.h"
#include "neighbors/l2_distance.h"

namespace uadscope::neighbors {

double measure_recall(const KnnGraph& graph, std::span<const float> data, std::size_t n,
                      std::size_t d, std::size_t sample, std::uint64_t seed, int jobs) {
    UADSCOPE_ASSERT(data.size() == n * d);
    UADSCOPE_ASSERT(graph.n == n);
    if (n < 2 || graph.k == 0 || sample == 0) {
        return 1.0;
    }
    const auto k = static_cast<std::size_t>(graph.k);
    UADSCOPE_ASSERT(k < n);

    std::vector<std::size_t> rows(n);
    for (std::size_t i = 0; i < n; ++i) {
        rows[i] = i;
    }
    if (sample < n) {
        Rng rng(seed);
        rng.shuffle(std::span<std::size_t>(rows));
        rows.resize(sample);
    }

    // The exact k nearest of the sampled rows by sgemm (detail::search_rows), block by block
    // of data rows, each block centred by the column means on the fly so that no centred copy
    // of the whole input is needed. The last block absorbs a remainder shorter than k + 1
    // rows, so that every block can give k neighbours.
    const std::size_t m = rows.size();
    const std::vector<float> mean = detail::column_means(data, n, d);
    std::vector<float> queries(m * d);
    for (std::size_t q = 0; q < m; ++q) {
        for (std::size_t j = 0; j < d; ++j) {
            queries[q * d + j] = data[rows[q] * d + j] - mean[j];
        }
    }
    const std::vector<float> query_norms = detail::squared_norms(queries, m, d);
    constexpr std::size_t block_rows = 4096;
    std::vector<std::size_t> block_starts;
    for (std::size_t start = 0; start < n; start += block_rows) {
        block_starts.push_back(start);
    }
    if (block_starts.size() > 1 && n - block_starts.back() < k + 1) {
        block_starts.pop_back();
    }
    const std::size_t blocks = block_starts.size();
    block_starts.push_back(n);
    std::vector<float> block_distances(blocks * m * k);
    {
        const detail::SingleThreadedBlas single_threaded_blas;
        parallel_for(blocks, resolve_jobs(jobs), [&](std::size_t block, int) {
            const std::size_t start = block_starts[block];
            const std::size_t count = block_starts[block + 1] - start;
            std::vector<float> reference(count * d);
            for (std::size_t i = 0; i < count; ++i) {
                for (std::size_t j = 0; j < d; ++j) {
                    reference[i * d + j] = data[(start + i) * d + j] - mean[j];
                }
            }
            const std::vector<float> reference_norms = detail::squared_norms(reference, count, d);
            std::vector<std::int64_t> excluded(m, -1);
            for (std::size_t q = 0; q < m; ++q) {
                if (rows[q] >= start && rows[q] < start + count) {
                    excluded[q] = static_cast<std::int64_t>(rows[q] - start);
                }
            }
            std::vector<std::int32_t> indices(m * k);
            detail::search_rows(queries.data(), query_norms.data(), m, reference.data(),
                                reference_norms.data(), count, d, static_cast<int>(k),
                                excluded.data(), indices.data(),
                                block_distances.data() + block * m * k);
        });
    }

    const SquaredL2Function kernel = squared_l2_kernel();
    std::vector<double> row_hits(m, 0.0);
    std::vector<float> candidates(blocks * k);
    for (std::size_t q = 0; q < m; ++q) {
        for (std::size_t block = 0; block < blocks; ++block) {
            std::copy_n(block_distances.begin() + static_cast<std::ptrdiff_t>((block * m + q) * k),
                        k, candidates.begin() + static_cast<std::ptrdiff_t>(block * k));
        }
        std::nth_element(candidates.begin(),
                         candidates.begin() + static_cast<std::ptrdiff_t>(k - 1), candidates.end());
        const float kth = candidates[k - 1] * candidates[k - 1];
        const std::size_t row = rows[q];
        const float* query = data.data() + row * d;
        // A listed neighbour is a hit when its distance is within the exact k-th distance, so
        // ties among equidistant rows count. The relative margin absorbs the rounding
        // differences between this kernel, the exact search and the search that built the graph.
        constexpr float tie_margin = 1e-5f;
        double hits = 0.0;
        for (const std::int32_t index : graph.row_indices(row)) {
            const auto other = static_cast<std::size_t>(index);
            if (other != row &&
                kernel(query, data.data() + other * d, d) <= kth * (1.0f + tie_margin)) {
                hits += 1.0;
            }
        }
        row_hits[q] = hits;
    }

    double hits = 0.0;
    for (const double value : row_hits) {
        hits += value;
    }
    return hits / (static_cast<double>(rows.size()) * static_cast<double>(k));
}

}  // namespace uadscope::neighbors
