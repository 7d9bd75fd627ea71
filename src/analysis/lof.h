#pragma once

// Local outlier factor (Breunig, Kriegel, Ng and Sander, "LOF: identifying density-based
// local outliers", SIGMOD 2000), computed from kNN graphs as scikit-learn 1.2's
// LocalOutlierFactor does:
//
//   reach-dist_k(p, o) = max(k-distance(o), d(p, o))
//   lrd(p)             = 1 / (mean over the k neighbours o of reach-dist_k(p, o) + 1e-10)
//   LOF(p)             = mean over the k neighbours o of lrd(o) / lrd(p)
//
// k-distance(o) is the distance from reference vector o to its k-th nearest other reference
// vector. The 1e-10 keeps lrd finite when p and its neighbours are duplicates (all
// reachability distances 0); LOF then becomes lrd(o) * 1e-10 ratios, large but finite.
// LOF near 1 means p is as dense as its neighbours; larger is more anomalous.

#include <span>
#include <vector>

#include "neighbors/knn_graph.h"

namespace uadscope::analysis {

// Added to the mean reachability distance before inverting it (scikit-learn's constant).
inline constexpr double lof_reachability_floor = 1e-10;

// k-distance of every row of a self kNN graph: its distance to the k-th (last) neighbour,
// [graph.n].
std::vector<double> k_distances(const neighbors::KnnGraph& self_graph);

// Local reachability density of each row of `graph` (a self graph of the reference, or a
// query graph into it), given the reference rows' k-distances. Every index of `graph` must
// lie in [0, k_distance.size()) (asserted).
std::vector<double> local_reachability_density(const neighbors::KnnGraph& graph,
                                               std::span<const double> k_distance);

// LOF of each row of `graph`: the mean of lrd(o) / lrd(row) over its neighbours o, where
// `reference_lrd` holds the reference rows' densities and `row_lrd` [graph.n] the rows' own.
std::vector<double> local_outlier_factor(const neighbors::KnnGraph& graph,
                                         std::span<const double> reference_lrd,
                                         std::span<const double> row_lrd);

}  // namespace uadscope::analysis
