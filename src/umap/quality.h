#pragma once

// Quality of a map: how well an embedding keeps the neighbourhoods of its input.
//
// - Trustworthiness (Venna and Kaski 2001), as scikit-learn 1.2's
//   sklearn.manifold.trustworthiness with the Euclidean metric:
//   1 - 2 / (n k (2n - 3k - 1)) * sum over rows i and their k nearest embedded rows j of
//   max(0, r(i, j) - k), where r(i, j) is the rank of j among i's input-space neighbours
//   (nearest = 1).
// - kNN preservation: the mean over rows of the fraction of their k nearest input-space
//   rows that are also among their k nearest embedded rows (self excluded in both).
//
// Input rows are row-major float32 n x d, embeddings row-major float32 n x dim. Exact
// distance ties are ordered by row index.

#include <cstddef>
#include <span>

namespace uadscope::umap {

inline constexpr int default_quality_k = 15;
// Rows evaluated by map_quality_subsampled: every step-th row, step = max(1, n / 5000).
inline constexpr std::size_t default_quality_rows = 5000;

struct MapQuality {
    double trustworthiness = 0.0;
    double knn_preservation = 0.0;
    std::size_t rows = 0;  // rows evaluated
    std::size_t step = 1;  // every step-th row of the input
    int k = default_quality_k;
};

// Both figures on all n rows. Requires 1 <= k < n / 2 (scikit-learn's condition); costs
// O(n^2 d), so callers subsample large inputs (map_quality_subsampled).
MapQuality map_quality(std::span<const float> data, std::size_t n, std::size_t d,
                       std::span<const float> embedding, std::size_t dim, int k = default_quality_k,
                       int jobs = 0);

// Both figures on rows 0, step, 2 step, ... with step = max(1, n / target_rows), as the
// umap-learn reference values of uadscope's fixtures were computed.
MapQuality map_quality_subsampled(std::span<const float> data, std::size_t n, std::size_t d,
                                  std::span<const float> embedding, std::size_t dim,
                                  int k = default_quality_k,
                                  std::size_t target_rows = default_quality_rows, int jobs = 0);

}  // namespace uadscope::umap
