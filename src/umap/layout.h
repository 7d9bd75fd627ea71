#pragma once

// Stochastic gradient descent of the embedding (umap-learn 0.5 layouts.py:
// optimize_layout_euclidean): edges sampled in proportion to their membership, 5 negative
// samples per positive one, gradients clipped at 4, learning rate decaying linearly to 0.
//
// One difference in the order of updates: umap-learn updates one edge after the other,
// while uadscope updates sixteen edges at once, one per lane of two eight-float vectors. Each lane
// takes its edges from its own sixteenth of the sampled edges, so the lanes mostly move
// different points. Within a lane the steps are umap-learn's, the negative samples one
// after the other. The independent chains of arithmetic overlap in the CPU instead of
// waiting on each other, which makes the layout several times faster. umap-learn's own
// parallel layout reorders the edges in the same way across threads, and the quality
// stays the same (docs/umap.md).
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
    // Whether to use AVX2 where the CPU has it. Both paths give the same bits; tests turn
    // AVX2 off to check that.
    bool use_avx2 = true;
};

// Minimises the fuzzy set cross entropy by SGD. head_embedding [n_head, dim] is updated in
// place; tail_embedding [n_tail, dim] is the same array when fitting, or the fixed fitted
// embedding when transforming (then it is only read). Negative samples are drawn from
// the n_tail tail points.
void optimize_layout(std::span<float> head_embedding, std::span<float> tail_embedding,
                     std::size_t dim, const LayoutEdges& edges, const LayoutParameters& parameters,
                     const Rng& rng, int jobs);

}  // namespace uadscope::umap
