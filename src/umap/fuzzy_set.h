#pragma once

// The fuzzy simplicial set of a kNN graph, as umap-learn 0.5 builds it (umap_.py:
// smooth_knn_dist, compute_membership_strengths, fuzzy_simplicial_set).
//
// umap-learn's n_neighbors counts the point itself: its kNN arrays have the point at
// position 0 with distance 0. uadscope's self kNN graphs exclude the point, so the
// functions here take that graph with n_neighbors - 1 columns and treat it as umap-learn's
// array with the zero in front.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "neighbors/knn_graph.h"

namespace uadscope::umap {

// Binary-search iterations and tolerance of smooth_knn_dist (umap-learn's n_iter and
// SMOOTH_K_TOLERANCE), and the floor on sigma relative to the mean distance
// (MIN_K_DIST_SCALE).
inline constexpr int smooth_knn_iterations = 64;
inline constexpr double smooth_knn_tolerance = 1e-5;
inline constexpr float min_k_dist_scale = 1e-3f;

// Symmetric sparse matrix in compressed rows; columns ascending within each row.
struct SparseGraph {
    std::size_t n_rows = 0;
    std::size_t n_cols = 0;
    std::vector<std::int64_t> row_offsets;  // [n_rows + 1]
    std::vector<std::int32_t> columns;      // [nnz]
    std::vector<float> weights;             // [nnz]

    std::size_t nnz() const { return columns.size(); }
};

struct SmoothKnnResult {
    std::vector<float> sigmas;  // [n]
    std::vector<float> rhos;    // [n]
};

// smooth_knn_dist on `distances` (n rows x row_length, each row ascending), for
// `n_neighbors` in the target log2(n_neighbors). `self_in_front` adds the zero distance of
// the point itself before each row, as umap-learn's arrays have it for a fit; transform
// passes false, as its query distances have no such entry.
SmoothKnnResult smooth_knn_distances(std::span<const float> distances, std::size_t n,
                                     std::size_t row_length, float n_neighbors,
                                     float local_connectivity, bool self_in_front, int jobs = 1);

// Membership strength exp(-(distance - rho) / sigma) of one neighbour, 1 when
// distance <= rho or sigma is 0 (compute_membership_strengths).
float membership_strength(float distance, float rho, float sigma);

// The fuzzy union of a self kNN graph (knn: n rows, self excluded) with its transpose,
// mixed with the intersection by set_op_mix_ratio (1 = pure union), zeros removed.
// `n_neighbors` is umap-learn's count (knn.k + 1 in a fit).
SparseGraph fuzzy_simplicial_set(const neighbors::KnnGraph& knn, float n_neighbors,
                                 float local_connectivity, float set_op_mix_ratio, int jobs = 1);

}  // namespace uadscope::umap
