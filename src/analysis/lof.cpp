#include "analysis/lof.h"

#include <algorithm>

#include "core/error.h"

namespace uadscope::analysis {

std::vector<double> k_distances(const neighbors::KnnGraph& self_graph) {
    std::vector<double> result(self_graph.n);
    for (std::size_t i = 0; i < self_graph.n; ++i) {
        result[i] = self_graph.row_distances(i).back();
    }
    return result;
}

std::vector<double> local_reachability_density(const neighbors::KnnGraph& graph,
                                               std::span<const double> k_distance) {
    std::vector<double> lrd(graph.n);
    for (std::size_t i = 0; i < graph.n; ++i) {
        const auto indices = graph.row_indices(i);
        const auto distances = graph.row_distances(i);
        double sum = 0.0;
        for (int j = 0; j < graph.k; ++j) {
            const auto neighbour = static_cast<std::size_t>(indices[j]);
            UADSCOPE_ASSERT(neighbour < k_distance.size());
            sum += std::max(static_cast<double>(distances[j]), k_distance[neighbour]);
        }
        lrd[i] = 1.0 / (sum / graph.k + lof_reachability_floor);
    }
    return lrd;
}

std::vector<double> local_outlier_factor(const neighbors::KnnGraph& graph,
                                         std::span<const double> reference_lrd,
                                         std::span<const double> row_lrd) {
    UADSCOPE_ASSERT(row_lrd.size() == graph.n);
    std::vector<double> lof(graph.n);
    for (std::size_t i = 0; i < graph.n; ++i) {
        const auto indices = graph.row_indices(i);
        double sum = 0.0;
        for (int j = 0; j < graph.k; ++j) {
            const auto neighbour = static_cast<std::size_t>(indices[j]);
            UADSCOPE_ASSERT(neighbour < reference_lrd.size());
            sum += reference_lrd[neighbour] / row_lrd[i];
        }
        lof[i] = sum / graph.k;
    }
    return lof;
}

}  // namespace uadscope::analysis
