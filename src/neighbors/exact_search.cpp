#include "neighbors/exact_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "core/error.h"
#include "core/parallel.h"
#include "neighbors/blas_threads.h"

namespace uadscope::neighbors::detail {
namespace {

// Query and reference rows per sgemm call: the product block (256 x 2048 floats, 2 MiB)
// and a block of reference rows stay in the L2/L3 cache.
constexpr std::size_t query_block_rows = 256;
constexpr std::size_t reference_block_rows = 2048;
// Columns of a product row screened together against the worst kept candidate.
constexpr std::size_t screen_columns = 32;

using Candidate = std::pair<float, std::int32_t>;  // (squared distance, reference index)

}  // namespace

// Two doubles: one SSE2 register, available on every x86-64, so that the sums below do not
// depend on the CPU the program runs on.
using DoublePair = double __attribute__((vector_size(16)));

// Squared distance in double precision. Eight running sums (in four register pairs) let the
// additions overlap in the pipeline; one sum made each addition wait for the one before.
double exact_squared_distance(const float* a, const float* b, std::size_t d) {
    DoublePair sums[4] = {};
    std::size_t j = 0;
    for (; j + 8 <= d; j += 8) {
        for (std::size_t pair = 0; pair < 4; ++pair) {
            const std::size_t at = j + 2 * pair;
            const DoublePair diff = DoublePair{a[at], a[at + 1]} - DoublePair{b[at], b[at + 1]};
            sums[pair] += diff * diff;
        }
    }
    const DoublePair total = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    double sum = total[0] + total[1];
    for (; j < d; ++j) {
        const double diff = static_cast<double>(a[j]) - static_cast<double>(b[j]);
        sum += diff * diff;
    }
    return sum;
}

ExactReference prepare_exact_reference(std::span<const float> reference, std::size_t n,
                                       std::size_t d, int jobs) {
    UADSCOPE_ASSERT(reference.size() == n * d);
    ExactReference result;
    result.n = n;
    result.d = d;

    result.mean = column_means(reference, n, d);

    result.data.resize(n * d);
    result.norms.resize(n);
    const std::size_t blocks = (n + query_block_rows - 1) / query_block_rows;
    parallel_for(blocks, jobs, [&](std::size_t block, int) {
        const std::size_t end = std::min(n, (block + 1) * query_block_rows);
        for (std::size_t i = block * query_block_rows; i < end; ++i) {
            const float* source = reference.data() + i * d;
            float* target = result.data.data() + i * d;
            double norm = 0.0;
            for (std::size_t j = 0; j < d; ++j) {
                target[j] = source[j] - result.mean[j];
                norm += static_cast<double>(target[j]) * target[j];
            }
            result.norms[i] = static_cast<float>(norm);
        }
    });
    return result;
}

std::vector<float> centre_queries(const ExactReference& reference, std::span<const float> queries,
                                  std::size_t n_queries) {
    const std::size_t d = reference.d;
    UADSCOPE_ASSERT(queries.size() == n_queries * d);
    std::vector<float> centred(queries.begin(), queries.end());
    for (std::size_t i = 0; i < n_queries; ++i) {
        float* row = centred.data() + i * d;
        for (std::size_t j = 0; j < d; ++j) {
            row[j] -= reference.mean[j];
        }
    }
    return centred;
}

void search_rows(const float* queries, const float* query_norms, std::size_t rows,
                 const float* reference, const float* reference_norms, std::size_t n, std::size_t d,
                 int k, const std::int64_t* excluded, std::int32_t* indices, float* distances) {
    const auto k_size = static_cast<std::size_t>(k);
    const std::size_t available = excluded == nullptr ? n : n - 1;
    UADSCOPE_ASSERT(k >= 1 && k_size <= available);
    const std::size_t candidate_count =
        std::min(available, k_size + static_cast<std::size_t>(extra_candidates));

    std::vector<float> products(std::min(rows, query_block_rows) * reference_block_rows);
    std::vector<std::vector<Candidate>> heaps(std::min(rows, query_block_rows));
    std::vector<std::pair<double, std::int32_t>> ranked;
    for (std::size_t q0 = 0; q0 < rows; q0 += query_block_rows) {
        const std::size_t block = std::min(rows, q0 + query_block_rows) - q0;
        // One max-heap of candidates per query, ordered by estimated squared distance.
        for (auto& heap : heaps) {
            heap.clear();
            heap.reserve(candidate_count);
        }
        for (std::size_t r0 = 0; r0 < n; r0 += reference_block_rows) {
            const std::size_t columns = std::min(n, r0 + reference_block_rows) - r0;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(block),
                        static_cast<int>(columns), static_cast<int>(d), 1.0f, queries + q0 * d,
                        static_cast<int>(d), reference + r0 * d, static_cast<int>(d), 0.0f,
                        products.data(), static_cast<int>(columns));
            for (std::size_t i = 0; i < block; ++i) {
                const float query_norm = query_norms[q0 + i];
                const std::int64_t skip = excluded == nullptr ? -1 : excluded[q0 + i];
                const float* product_row = products.data() + i * columns;
                const float* norms = reference_norms + r0;
                auto& heap = heaps[i];
                for (std::size_t group = 0; group < columns; group += screen_columns) {
                    const std::size_t group_end = std::min(columns, group + screen_columns);
                    if (heap.size() == candidate_count) {
                        // Most columns cannot enter a full heap: screen a group at once, in a
                        // loop that compiles to vector compares (the estimates are the same
                        // values as below, so no column is screened out that would enter).
                        const float worst = heap.front().first;
                        bool any_closer = false;
                        for (std::size_t j = group; j < group_end; ++j) {
                            any_closer |= query_norm + norms[j] - 2.0f * product_row[j] < worst;
                        }
                        if (!any_closer) {
                            continue;
                        }
                    }
                    for (std::size_t j = group; j < group_end; ++j) {
                        const std::size_t index = r0 + j;
                        float estimate = query_norm + norms[j] - 2.0f * product_row[j];
                        estimate = std::max(estimate, 0.0f);
                        if (heap.size() == candidate_count && !(estimate < heap.front().first)) {
                            continue;
                        }
                        if (static_cast<std::int64_t>(index) == skip) {
                            continue;
                        }
                        const Candidate candidate{estimate, static_cast<std::int32_t>(index)};
                        if (heap.size() < candidate_count) {
                            heap.push_back(candidate);
                            std::push_heap(heap.begin(), heap.end());
                        } else {
                            std::pop_heap(heap.begin(), heap.end());
                            heap.back() = candidate;
                            std::push_heap(heap.begin(), heap.end());
                        }
                    }
                }
            }
        }

        // Re-rank the candidates by directly computed distances; ties go to the lower index.
        for (std::size_t i = 0; i < block; ++i) {
            const float* query = queries + (q0 + i) * d;
            ranked.clear();
            for (const auto& [estimate, index] : heaps[i]) {
                const float* row = reference + static_cast<std::size_t>(index) * d;
                ranked.emplace_back(exact_squared_distance(query, row, d), index);
            }
            const std::size_t offset = (q0 + i) * k_size;
            write_nearest(ranked, k_size, indices + offset, distances + offset);
        }
    }
}

void write_nearest(std::vector<std::pair<double, std::int32_t>>& ranked, std::size_t k,
                   std::int32_t* indices, float* distances) {
    UADSCOPE_ASSERT(ranked.size() >= k);
    std::sort(ranked.begin(), ranked.end());
    for (std::size_t j = 0; j < k; ++j) {
        indices[j] = ranked[j].second;
        distances[j] = static_cast<float>(std::sqrt(ranked[j].first));
    }
}

std::vector<float> column_means(std::span<const float> rows, std::size_t n, std::size_t d) {
    UADSCOPE_ASSERT(rows.size() == n * d);
    std::vector<double> sums(d, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < d; ++j) {
            sums[j] += rows[i * d + j];
        }
    }
    std::vector<float> means(d, 0.0f);
    if (n == 0) {
        return means;
    }
    for (std::size_t j = 0; j < d; ++j) {
        means[j] = static_cast<float>(sums[j] / static_cast<double>(n));
    }
    return means;
}

std::vector<float> squared_norms(std::span<const float> rows, std::size_t n, std::size_t d) {
    UADSCOPE_ASSERT(rows.size() == n * d);
    std::vector<float> norms(n);
    for (std::size_t i = 0; i < n; ++i) {
        const float* row = rows.data() + i * d;
        double norm = 0.0;
        for (std::size_t j = 0; j < d; ++j) {
            norm += static_cast<double>(row[j]) * row[j];
        }
        norms[i] = static_cast<float>(norm);
    }
    return norms;
}

KnnGraph exact_search(const ExactReference& reference, std::span<const float> centred_queries,
                      std::size_t n_queries, int k, std::span<const std::int64_t> excluded,
                      int jobs) {
    const std::size_t n = reference.n;
    const std::size_t d = reference.d;
    UADSCOPE_ASSERT(centred_queries.size() == n_queries * d);
    UADSCOPE_ASSERT(excluded.empty() || excluded.size() == n_queries);
    UADSCOPE_ASSERT(k >= 1);

    const auto k_size = static_cast<std::size_t>(k);
    KnnGraph graph;
    graph.n = n_queries;
    graph.k = k;
    graph.method = KnnMethod::exact;
    graph.indices.resize(n_queries * k_size);
    graph.distances.resize(n_queries * k_size);
    const std::vector<float> query_norms = squared_norms(centred_queries, n_queries, d);

    const SingleThreadedBlas single_threaded_blas;
    const std::size_t blocks = (n_queries + query_block_rows - 1) / query_block_rows;
    parallel_for(blocks, jobs, [&](std::size_t block, int) {
        const std::size_t q0 = block * query_block_rows;
        const std::size_t rows = std::min(n_queries, q0 + query_block_rows) - q0;
        search_rows(centred_queries.data() + q0 * d, query_norms.data() + q0, rows,
                    reference.data.data(), reference.norms.data(), n, d, k,
                    excluded.empty() ? nullptr : excluded.data() + q0,
                    graph.indices.data() + q0 * k_size, graph.distances.data() + q0 * k_size);
    });
    return graph;
}

}  // namespace uadscope::neighbors::detail
