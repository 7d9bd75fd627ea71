#pragma once

// Stochastic gradient descent of the embedding (umap-learn 0.5 layouts.py:
// optimize_layout_euclidean): edges sampled in proportion to their membership, 5 negative
// samples per positive one, gradients clipped at 4, learning rate decaying linearly to 0.
//
// One difference in the order of updates: umap-learn moves the point after each negative
// sample before measuring the next one; uadscope measures all negative samples of a
// positive sample from the same position and then applies their clipped gradients in turn.
// The samples' powers and memory loads then overlap instead of waiting on each other, which
// makes the layout several times faster; the moves per negative sample are small (the
// repulsion falls with the squared distance), so the result keeps umap-learn's quality
// (docs/umap.md).
//
// With several threads the edges of each epoch are split into chunks that threads process
// without locks (Hogwild), so results then vary from run to run. Each chunk of each epoch
// draws its negative samples from its own stream, Rng::fork(epoch * chunks + chunk), so one
// thread gives the same result on every run.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/random.h"
#include "umap/fuzzy_set.h"

namespace uadscope::umap {

// The edges that the layout samples, with their sampling periods in epochs.
struct LayoutEdges {
    std::vector<std::int32_t> head;  // row of the graph: the point that moves
    std::vector<std::int32_t> tail;  // column of the graph
    // Epochs between two samples of an edge: max_weight / weight (make_epochs_per_sample).
    std::vector<float> epochs_per_sample;
};

// `graph` without the edges lighter than max_weight / prune_epochs, which would not be
// sampled even once in that many epochs (umap-learn drops them before the initialisation).
SparseGraph drop_weak_edges(const SparseGraph& graph, int prune_epochs);

// The edges of `graph` in row-major order with their sampling periods.
LayoutEdges make_layout_edges(const SparseGraph& graph);

struct LayoutParameters {
    double a = 1.577;
    double b = 0.895;
    double gamma = 1.0;          // repulsion_strength
    double initial_alpha = 1.0;  // learning rate of epoch 0
    int negative_sample_rate = 5;
    int n_epochs = 200;
    // Whether a positive sample also moves the tail point (true when fitting, where head
    // and tail are the same embedding).
    bool move_other = true;
};

// Minimises the fuzzy set cross entropy by SGD. head_embedding [n_head, dim] is updated in
// place; tail_embedding [n_tail, dim] is the same array when fitting, or the fixed fitted
// embedding when transforming (then it is only read). Negative samples are drawn from
// the n_tail tail points.
void optimize_layout(std::span<float> head_embedding, std::span<float> tail_embedding,
                     std::size_t dim, const LayoutEdges& edges, const LayoutParameters& parameters,
                     const Rng& rng, int jobs);

}  // namespace uadscope::umap
