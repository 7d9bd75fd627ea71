#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"
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

    // Brute force with the SIMD kernel, by groups of sampled rows that stream the data once
    // per group: the k smallest squared distances of each sampled row to the other rows.
    const SquaredL2Function kernel = squared_l2_kernel();
    constexpr std::size_t group_rows = 32;
    constexpr std::size_t block_rows = 512;
    const std::size_t groups = (rows.size() + group_rows - 1) / group_rows;
    std::vector<double> row_hits(rows.size(), 0.0);
    parallel_for(groups, resolve_jobs(jobs), [&](std::size_t group, int) {
        const std::size_t first = group * group_rows;
        const std::size_t count = std::min(rows.size(), first + group_rows) - first;
        std::vector<std::vector<float>> heaps(count);  // max-heaps of the k smallest
        for (std::size_t block = 0; block < n; block += block_rows) {
            const std::size_t block_end = std::min(n, block + block_rows);
            for (std::size_t q = 0; q < count; ++q) {
                const std::size_t row = rows[first + q];
                const float* query = data.data() + row * d;
                auto& heap = heaps[q];
                for (std::size_t i = block; i < block_end; ++i) {
                    if (i == row) {
                        continue;
                    }
                    const float squared = kernel(query, data.data() + i * d, d);
                    if (heap.size() < k) {
                        heap.push_back(squared);
                        std::push_heap(heap.begin(), heap.end());
                    } else if (squared < heap.front()) {
                        std::pop_heap(heap.begin(), heap.end());
                        heap.back() = squared;
                        std::push_heap(heap.begin(), heap.end());
                    }
                }
            }
        }
        for (std::size_t q = 0; q < count; ++q) {
            const std::size_t row = rows[first + q];
            const float* query = data.data() + row * d;
            const float kth = heaps[q].front();
            // A listed neighbour is a hit when its distance is within the exact k-th
            // distance, so ties among equidistant rows count; the relative margin absorbs the
            // rounding differences between this kernel and the one that built the graph.
            constexpr float tie_margin = 1e-5f;
            double hits = 0.0;
            for (const std::int32_t index : graph.row_indices(row)) {
                const auto other = static_cast<std::size_t>(index);
                if (other != row &&
                    kernel(query, data.data() + other * d, d) <= kth * (1.0f + tie_margin)) {
                    hits += 1.0;
                }
            }
            row_hits[first + q] = hits;
        }
    });

    double hits = 0.0;
    for (const double value : row_hits) {
        hits += value;
    }
    return hits / (static_cast<double>(rows.size()) * static_cast<double>(k));
}

}  // namespace uadscope::neighbors
