#pragma once

// Spectral initialisation of the embedding, as umap-learn 0.5 (spectral.py: spectral_layout,
// multi_component_layout, component_layout): the eigenvectors of the normalised Laplacian
// I - D^-1/2 W D^-1/2 with the smallest eigenvalues, skipping the constant one; each
// connected component is embedded on its own and placed around a layout of the components.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/random.h"
#include "umap/fuzzy_set.h"

namespace uadscope::umap {

// Connected components of a symmetric graph: labels [n] numbered in order of each
// component's lowest vertex, and their count.
struct Components {
    std::vector<std::int32_t> labels;
    std::size_t count = 0;
};

Components connected_components(const SparseGraph& graph);

struct SpectralLayout {
    std::vector<double> coordinates;  // [n, dim]
    std::size_t components = 0;
    // True when the eigensolver failed for the whole graph and the layout is uniform random
    // in [-10, 10] (umap-learn's fallback).
    bool random_fallback = false;
};

// Spectral layout of `graph` in `dim` dimensions. `data` (n x d) gives the component
// centroids when there are more than 2 * dim components. Every random draw comes from `rng`.
// Threads: jobs for the sparse matrix products, whose result does not depend on jobs.
SpectralLayout spectral_layout(const SparseGraph& graph, std::span<const float> data, std::size_t d,
                               int dim, Rng& rng, int jobs);

}  // namespace uadscope::umap
