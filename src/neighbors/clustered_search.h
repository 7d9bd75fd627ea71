#pragma once

// Clustered exact search (internal to neighbors). k-means splits the reference rows into
// lists of about ClusteredOptions::list_rows rows. The queries of each list are compared
// exactly (sgemm, as in exact_search.h) with the rows of the lists whose centroids are
// nearest to their own list's centroid. The number of lists searched is the smallest that
// finds min_recall of the exact neighbours on a sample of rows, so the recall is measured
// rather than assumed. Cost per query is the number of candidate rows times d, without the
// random memory access of a graph search. That makes it faster than HNSW on wide data whose
// neighbourhoods are clustered (measured on Gaussian blobs in docs/benchmarks.md).
//
// Wide rows (more than twice HnswOptions::projection_dims columns) are compared in their
// leading principal components when, on the sampled rows, at least
// HnswOptions::projection_min_recall of the exact neighbours are among the k +
// HnswOptions::rerank_extra nearest rows of the projection. Those candidates are then
// re-ranked by exact distances in all columns, so every returned distance is exact.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "neighbors/knn_graph.h"
#include "neighbors/pca_projection.h"

namespace uadscope::neighbors::detail {

class ClusteredIndex {
  public:
    // Builds the lists over `data` (n x d, finite, n >= 2) and chooses the lists searched
    // per query on a sample of options.recall_sample rows (at least 64) for k = recall_k.
    ClusteredIndex(std::span<const float> data, std::size_t n, std::size_t d,
                   const KnnOptions& options, int recall_k);

    // Whether the search costs at most options.clustered.max_candidates candidate rows per
    // query at the chosen recall; when false, HNSW is the better choice.
    bool worthwhile() const { return worthwhile_; }

    // The k nearest other rows of every row (1 <= k <= n - 1).
    KnnGraph self_graph(int k, int jobs) const;

    // The k nearest rows of each query row (1 <= k <= n).
    KnnGraph query(std::span<const float> queries, std::size_t n_queries, int k, int jobs) const;

    std::size_t n() const { return n_; }
    std::size_t d() const { return d_; }
    std::size_t lists() const { return list_offsets_.size() - 1; }
    std::size_t probes() const { return probes_; }
    double sample_recall() const { return sample_recall_; }
    double candidates_per_query() const { return candidates_per_query_; }
    // Columns of the projection the lists are searched in, or 0 for all columns.
    std::size_t projected_columns() const { return projection_.p; }

  private:
    // Rows of the lists searched for queries of `list`: their positions in rows_, in probe
    // order, extended beyond probes_ lists until they hold at least `minimum` rows.
    std::vector<std::int32_t> probe_lists(std::size_t list, std::size_t minimum) const;

    // Searches `queries` (centred, [count, d], assigned to `list`) against the candidate
    // lists and writes reference row ids to indices and distances [count, k]. With a
    // projection, `projected` and `projected_norms` are the queries' projections [count, p]
    // and their squared norms. Without one, both are null.
    void search_list(std::size_t list, const float* queries, const float* query_norms,
                     const float* projected, const float* projected_norms, std::size_t count, int k,
                     const std::int64_t* self_positions, std::int32_t* indices,
                     float* distances) const;

    // Decides on the projection from the exact neighbours [samples, k] (positions in rows_)
    // of the sampled rows at `positions`, and keeps it when it finds enough of them.
    void choose_projection(std::span<const float> data, const KnnOptions& options,
                           const std::vector<std::int64_t>& positions,
                           const std::vector<std::int32_t>& neighbours, std::size_t k, int jobs);

    std::size_t n_ = 0;
    std::size_t d_ = 0;
    std::vector<float> mean_;            // [d]
    std::vector<float> centroids_;       // [lists, d], centred
    std::vector<float> centroid_norms_;  // [lists], squared norms of centroids_
    // Rows in list order, centred by mean_: rows_[p] is row row_of_[p].
    std::vector<float> rows_;
    std::vector<float> norms_;
    std::vector<std::int32_t> row_of_;
    std::vector<std::int64_t> list_offsets_;  // [lists + 1]
    // For each list, the lists in order of centroid distance (itself first), at most
    // max_probe_order of them: probe_order_[list * probe_width_ + r].
    std::vector<std::int32_t> probe_order_;
    std::size_t probe_width_ = 0;
    std::size_t probes_ = 1;
    double sample_recall_ = 1.0;
    double candidates_per_query_ = 0.0;
    bool worthwhile_ = false;
    // The projection (p = 0 when unused), with its mean shifted so that it applies to rows
    // centred by mean_, and rows_ projected [n, p] with their squared norms.
    PcaProjection projection_;
    std::vector<float> projected_;
    std::vector<float> projected_norms_;
    int rerank_extra_ = 0;
};

}  // namespace uadscope::neighbors::detail
