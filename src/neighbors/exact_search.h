#pragma once

// Exact k-nearest-neighbour search by blocks of OpenBLAS sgemm (internal to neighbors).
//
// Squared distances come from |q|^2 + |r|^2 - 2 q.r on data centred by the reference mean,
// which keeps the norms small and the cancellation error low. Each query keeps
// k + extra_candidates candidates by that estimate, with negative values clamped at 0.
// Their distances are then recomputed directly in double precision and sorted, so that the
// returned distances and the order of near-ties do not depend on the sgemm rounding.

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "neighbors/knn_graph.h"

namespace uadscope::neighbors::detail {

// Candidates kept beyond k before the exact re-ranking.
inline constexpr int extra_candidates = 10;

// Reference rows prepared for the exact search.
struct ExactReference {
    std::size_t n = 0;
    std::size_t d = 0;
    std::vector<float> mean;   // [d]
    std::vector<float> data;   // [n, d], centred by mean
    std::vector<float> norms;  // [n], squared norms of the centred rows
};

ExactReference prepare_exact_reference(std::span<const float> reference, std::size_t n,
                                       std::size_t d, int jobs);

// Subtracts `reference.mean` from each query row and returns the centred copy [n, d].
std::vector<float> centre_queries(const ExactReference& reference, std::span<const float> queries,
                                  std::size_t n_queries);

// The k nearest reference rows of each centred query row. `excluded` is empty or holds, for
// each query, a reference index that must not be returned (the query row itself in a self
// graph), or -1. Requires k <= n minus one when rows are excluded.
KnnGraph exact_search(const ExactReference& reference, std::span<const float> centred_queries,
                      std::size_t n_queries, int k, std::span<const std::int64_t> excluded,
                      int jobs);

// The core of the exact search on one thread: the k nearest of `n` reference rows
// (row-major, d columns, squared norms in reference_norms) for each of `rows` query rows
// (squared norms in query_norms), written to indices and distances [rows, k]. Queries and
// reference must be centred by the same vector. `excluded` is null or holds one reference
// index per query that must not be returned (or -1). Calls single-threaded sgemm.
void search_rows(const float* queries, const float* query_norms, std::size_t rows,
                 const float* reference, const float* reference_norms, std::size_t n, std::size_t d,
                 int k, const std::int64_t* excluded, std::int32_t* indices, float* distances);

// Squared distance between a and b (d floats each) summed in double, in an order that does
// not depend on the CPU.
double exact_squared_distance(const float* a, const float* b, std::size_t d);

// Sorts `ranked` (squared distance, index) pairs and writes the indices and distances of the
// first k to indices and distances [k]. Ties go to the lower index.
void write_nearest(std::vector<std::pair<double, std::int32_t>>& ranked, std::size_t k,
                   std::int32_t* indices, float* distances);

// Returns the column means of the n rows of `rows` [n, d], summed in double (0 when n is 0).
std::vector<float> column_means(std::span<const float> rows, std::size_t n, std::size_t d);

// Squared norms of the n rows of `rows` [n, d], summed in double.
std::vector<float> squared_norms(std::span<const float> rows, std::size_t n, std::size_t d);

}  // namespace uadscope::neighbors::detail
