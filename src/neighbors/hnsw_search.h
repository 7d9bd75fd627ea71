#pragma once

// Approximate k-nearest-neighbour search with hnswlib's HNSW graphs (internal to neighbors).
// hnswlib's header defines non-inline functions, so only hnsw_search.cpp includes it.
//
// The graph indexes each row as floats, as half-precision floats, or by its leading
// principal components (HnswOptions). With the approximate representations each search
// collects more candidates than requested, then re-ranks them by their float distances in
// all columns.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "neighbors/knn_graph.h"

namespace uadscope::neighbors::detail {

class HnswIndex {
  public:
    // Inserts the n rows of `data` (n x d) with labels 0..n-1 on options.jobs threads.
    // With copy_data false, the index may keep a pointer to `data`, which must then outlive
    // it.
    HnswIndex(std::span<const float> data, std::size_t n, std::size_t d, const KnnOptions& options,
              bool copy_data);
    ~HnswIndex();
    HnswIndex(const HnswIndex&) = delete;
    HnswIndex& operator=(const HnswIndex&) = delete;

    // The k nearest other indexed rows of every indexed row (self excluded by label).
    KnnGraph self_graph(int k, int jobs) const;

    // The k nearest indexed rows of each query row (n_queries x d).
    KnnGraph query(std::span<const float> queries, std::size_t n_queries, int k, int jobs) const;

    std::size_t n() const { return n_; }
    std::size_t d() const { return d_; }

  private:
    struct State;
    std::unique_ptr<State> state_;
    std::size_t n_;
    std::size_t d_;
};

}  // namespace uadscope::neighbors::detail
