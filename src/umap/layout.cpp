#include "umap/layout.h"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <utility>

#include "core/error.h"
#include "core/parallel.h"
#include "umap/fast_math.h"

namespace uadscope::umap {
namespace {

// Edges per task and random stream. A constant, so that the streams do not depend on the
// thread count.
constexpr std::size_t chunk_edges = 16384;
// umap-learn's gradient clip and the 0.001 that keeps the repulsive gradient finite.
constexpr float gradient_clip = 4.0f;
constexpr float repulsion_epsilon = 0.001f;
// Clips every lane to [-4, 4], as umap-learn does. NaN becomes -4, as std::max(-4, NaN) does.
[[gnu::always_inline]] inline FloatVector clip(FloatVector value) {
    value = value > -gradient_clip ? value : -gradient_clip;
    return value < gradient_clip ? value : gradient_clip;
}

// Relaxed atomic access to embedding coordinates: Hogwild threads may read and write the
// same point, which must not be a data race in C++ terms. On x86 these are plain moves.
float load(float& value) {
    return std::atomic_ref<float>(value).load(std::memory_order_relaxed);
}

void store(float& value, float update) {
    std::atomic_ref<float>(value).store(update, std::memory_order_relaxed);
}

// One edge as the layout reads and updates it. One record per edge (rather than one array
// per field) lets each lane read its edges from one memory stream.
struct EdgeState {
    std::uint32_t head;
    std::uint32_t tail;
    float period;                // epochs_per_sample
    float next_sample;           // epoch_of_next_sample
    float next_negative_sample;  // epoch_of_next_negative_sample
};
using EpochState = std::vector<EdgeState>;

// The edges of one step of the layout, one per lane of two vectors, with their negative
// samples. Each lane takes its edges from its own stretch of the chunk's sampled edges, so
// the lanes mostly move different points. The two vectors are two independent chains of
// arithmetic, which the CPU overlaps. A step is planned one step ahead: its negative
// samples are drawn and its points prefetched while the step before is computed.
constexpr int step_vectors = 2;
constexpr int step_lanes = step_vectors * vector_lanes;

struct Step {
    int lanes = 0;  // lanes in use: always the first ones
    std::uint32_t edges[step_lanes];
    int negative_counts[step_lanes];  // 0 in unused lanes
    int sample_offsets[step_lanes];
    int max_negative_count = 0;
    std::vector<std::uint32_t> samples;  // lane by lane, in the order drawn
};

// Steps ahead at which each lane's next edge record is prefetched.
constexpr std::size_t prefetch_steps = 4;

// The edges of a chunk sampled in this epoch, split into step_lanes stretches.
struct SampledEdges {
    std::vector<std::uint32_t> edges;
    std::size_t steps = 0;
    std::size_t long_lanes = 0;  // lanes with `steps` edges; the others have steps - 1
    std::size_t starts[step_lanes];

    void collect(std::size_t begin, std::size_t end, float now, const EpochState& state) {
        // Branch-free, because the test fails at random for many edges (about two thirds on
        // the benchmark inputs).
        edges.resize(end - begin);
        std::size_t count = 0;
        for (std::size_t i = begin; i < end; ++i) {
            edges[count] = static_cast<std::uint32_t>(i);
            count += state[i].next_sample <= now ? 1 : 0;
        }
        edges.resize(count);
        steps = (count + step_lanes - 1) / step_lanes;
        long_lanes = count % step_lanes == 0 ? step_lanes : count % step_lanes;
        std::size_t start = 0;
        for (std::size_t lane = 0; lane < step_lanes; ++lane) {
            starts[lane] = start;
            start += lane < long_lanes ? steps : steps - 1;
        }
    }
};

// Fills `step` with the edges of step `step_index`, draws their negative samples, and
// prefetches the points they read and the edge records of a later step.
void plan_step(const SampledEdges& sampled, std::size_t step_index, float now, std::size_t dim,
               std::span<float> head_embedding, std::span<float> tail_embedding,
               const EpochState& state, const LayoutParameters& parameters, Rng& rng, Step& step) {
    const std::size_t n_tail = tail_embedding.size() / dim;
    const auto negative_rate = static_cast<float>(parameters.negative_sample_rate);
    step.lanes = static_cast<int>(step_index + 1 < sampled.steps ? step_lanes : sampled.long_lanes);
    step.max_negative_count = 0;
    step.samples.clear();
    for (int lane = 0; lane < step.lanes; ++lane) {
        const std::size_t position = sampled.starts[lane] + step_index;
        if (position + prefetch_steps < sampled.edges.size()) {
            __builtin_prefetch(&state[sampled.edges[position + prefetch_steps]], 1);
        }
        const std::uint32_t i = sampled.edges[position];
        const EdgeState& edge = state[i];
        step.edges[lane] = i;
        __builtin_prefetch(head_embedding.data() + std::size_t{edge.head} * dim, 1);
        __builtin_prefetch(tail_embedding.data() + std::size_t{edge.tail} * dim, 1);
        int negative_count = 0;
        if (parameters.negative_sample_rate > 0) {
            const float negative_period = edge.period / negative_rate;
            negative_count = static_cast<int>((now - edge.next_negative_sample) / negative_period);
        }
        step.sample_offsets[lane] = static_cast<int>(step.samples.size());
        for (int p = 0; p < negative_count; ++p) {
            const auto sample = static_cast<std::uint32_t>(rng.uniform_int(n_tail));
            __builtin_prefetch(tail_embedding.data() + sample * dim, 0);
            step.samples.push_back(sample);
        }
        step.negative_counts[lane] = negative_count;
        step.max_negative_count = std::max(step.max_negative_count, negative_count);
    }
    std::fill(step.negative_counts + step.lanes, step.negative_counts + step_lanes, 0);
}

// The coordinate d of one point per lane. Built from scalars in registers: writing lanes
// of a vector one at a time goes through memory and stalls the loads that follow.
template <std::size_t... Lane>
[[gnu::always_inline]] inline FloatVector gather_lanes(float* const* points, std::size_t d,
                                                       std::index_sequence<Lane...>) {
    return FloatVector{load(points[Lane][d])...};
}

[[gnu::always_inline]] inline FloatVector gather(float* const* points, std::size_t d) {
    return gather_lanes(points, d, std::make_index_sequence<vector_lanes>());
}

// Applies the updates of one step. Dim is the embedding dimension, or 0 for dim at run
// time. Unused lanes read zeros and write nothing. Compiled twice, below. The loops over
// the step's vectors have a constant trip count and unroll, so the two chains interleave.
template <std::size_t Dim>
[[gnu::always_inline]] inline void update_step(const Step& step, float alpha,
                                               std::span<float> head_embedding,
                                               std::span<float> tail_embedding,
                                               std::size_t dim_runtime, EpochState& state,
                                               const LayoutParameters& parameters) {
    const std::size_t dim = Dim == 0 ? dim_runtime : Dim;
    constexpr std::size_t max_dim = Dim == 0 ? 16 : Dim;
    const auto a = static_cast<float>(parameters.a);
    const auto b = static_cast<float>(parameters.b);
    const auto gamma = static_cast<float>(parameters.gamma);
    float zeros[max_dim] = {};
    float* head_points[step_lanes];
    float* tail_points[step_lanes];
    IntVector negative_counts[step_vectors];
    std::memcpy(negative_counts, step.negative_counts, sizeof negative_counts);
    for (int lane = 0; lane < step_lanes; ++lane) {
        head_points[lane] = zeros;
        tail_points[lane] = zeros;
    }
    for (int lane = 0; lane < step.lanes; ++lane) {
        const EdgeState& edge = state[step.edges[lane]];
        head_points[lane] = head_embedding.data() + std::size_t{edge.head} * dim;
        tail_points[lane] = tail_embedding.data() + std::size_t{edge.tail} * dim;
    }
    FloatVector current[step_vectors][max_dim];
    FloatVector other[step_vectors][max_dim];
    for (int v = 0; v < step_vectors; ++v) {
        for (std::size_t d = 0; d < dim; ++d) {
            current[v][d] = gather(head_points + v * vector_lanes, d);
            other[v][d] = gather(tail_points + v * vector_lanes, d);
        }
    }

    // Attraction along the edge: -2 a b d^(2(b-1)) / (a d^2b + 1).
    for (int v = 0; v < step_vectors; ++v) {
        FloatVector squared{};
        for (std::size_t d = 0; d < dim; ++d) {
            const FloatVector diff = current[v][d] - other[v][d];
            squared += diff * diff;
        }
        const FloatVector power = fast_pow(squared, b);  // squared^b
        FloatVector coefficient = -2.0f * a * b * (power / squared) / (a * power + 1.0f);
        coefficient = squared > 0.0f ? coefficient : 0.0f;
        for (std::size_t d = 0; d < dim; ++d) {
            const FloatVector gradient = clip(coefficient * (current[v][d] - other[v][d]));
            current[v][d] += gradient * alpha;
            other[v][d] -= gradient * alpha;
        }
    }
    if (parameters.move_other) {
        for (int lane = 0; lane < step.lanes; ++lane) {
            for (std::size_t d = 0; d < dim; ++d) {
                store(tail_points[lane][d], other[lane / vector_lanes][d][lane % vector_lanes]);
            }
        }
    }

    // Repulsion from each negative sample in turn, as umap-learn does, on all lanes at once:
    // 2 gamma b / ((0.001 + d^2) (a d^2b + 1)). Lanes without a sample at this place, and
    // samples at distance 0 (the point itself or a duplicate), get 0, as in umap-learn.
    float* sample_points[step_lanes];
    for (int p = 0; p < step.max_negative_count; ++p) {
        for (int lane = 0; lane < step_lanes; ++lane) {
            sample_points[lane] = zeros;
        }
        for (int lane = 0; lane < step.lanes; ++lane) {
            if (p < step.negative_counts[lane]) {
                const std::size_t k =
                    step.samples[static_cast<std::size_t>(step.sample_offsets[lane] + p)];
                sample_points[lane] = tail_embedding.data() + k * dim;
            }
        }
        for (int v = 0; v < step_vectors; ++v) {
            FloatVector sample[max_dim];
            FloatVector distance{};
            for (std::size_t d = 0; d < dim; ++d) {
                sample[d] = gather(sample_points + v * vector_lanes, d);
                const FloatVector diff = current[v][d] - sample[d];
                distance += diff * diff;
            }
            const FloatVector powers = fast_pow(distance, b);
            FloatVector repulsion =
                (2.0f * gamma * b) / ((repulsion_epsilon + distance) * (a * powers + 1.0f));
            repulsion = (distance >= FLT_MIN) & (negative_counts[v] > p) ? repulsion : 0.0f;
            for (std::size_t d = 0; d < dim; ++d) {
                current[v][d] += clip(repulsion * (current[v][d] - sample[d])) * alpha;
            }
        }
    }

    const auto negative_rate = static_cast<float>(parameters.negative_sample_rate);
    for (int lane = 0; lane < step.lanes; ++lane) {
        for (std::size_t d = 0; d < dim; ++d) {
            store(head_points[lane][d], current[lane / vector_lanes][d][lane % vector_lanes]);
        }
        EdgeState& edge = state[step.edges[lane]];
        edge.next_sample += edge.period;
        if (parameters.negative_sample_rate > 0) {
            edge.next_negative_sample +=
                static_cast<float>(step.negative_counts[lane]) * (edge.period / negative_rate);
        }
    }
}

// update_step for CPUs with AVX2, where eight lanes fill one register, and for all others,
// where GCC splits the lanes over two SSE registers and some operations into scalars. AVX2
// without FMA performs the same IEEE operations, so both give the same bits.
template <std::size_t Dim>
__attribute__((target("avx2"))) void update_step_avx2(const Step& step, float alpha,
                                                      std::span<float> head_embedding,
                                                      std::span<float> tail_embedding,
                                                      std::size_t dim_runtime, EpochState& state,
                                                      const LayoutParameters& parameters) {
    update_step<Dim>(step, alpha, head_embedding, tail_embedding, dim_runtime, state, parameters);
}

template <std::size_t Dim>
void update_step_baseline(const Step& step, float alpha, std::span<float> head_embedding,
                          std::span<float> tail_embedding, std::size_t dim_runtime,
                          EpochState& state, const LayoutParameters& parameters) {
    update_step<Dim>(step, alpha, head_embedding, tail_embedding, dim_runtime, state, parameters);
}

// One epoch over edges [begin, end), step by step.
template <std::size_t Dim>
void run_edges(std::size_t begin, std::size_t end, std::size_t epoch, float alpha,
               std::span<float> head_embedding, std::span<float> tail_embedding,
               std::size_t dim_runtime, EpochState& state, const LayoutParameters& parameters,
               Rng& rng) {
    const auto now = static_cast<float>(epoch);
    const bool avx2 = parameters.use_avx2 && __builtin_cpu_supports("avx2");
    SampledEdges sampled;
    sampled.collect(begin, end, now, state);
    if (sampled.steps == 0) {
        return;
    }
    Step steps[2];
    plan_step(sampled, 0, now, dim_runtime, head_embedding, tail_embedding, state, parameters, rng,
              steps[0]);
    for (std::size_t s = 0; s < sampled.steps; ++s) {
        if (s + 1 < sampled.steps) {
            plan_step(sampled, s + 1, now, dim_runtime, head_embedding, tail_embedding, state,
                      parameters, rng, steps[(s + 1) % 2]);
        }
        if (avx2) {
            update_step_avx2<Dim>(steps[s % 2], alpha, head_embedding, tail_embedding, dim_runtime,
                                  state, parameters);
        } else {
            update_step_baseline<Dim>(steps[s % 2], alpha, head_embedding, tail_embedding,
                                      dim_runtime, state, parameters);
        }
    }
}

}  // namespace

SparseGraph drop_weak_edges(const SparseGraph& graph, int prune_epochs) {
    UADSCOPE_ASSERT(prune_epochs > 0);
    float max_weight = 0.0f;
    for (const float weight : graph.weights) {
        max_weight = std::max(max_weight, weight);
    }
    const float threshold = max_weight / static_cast<float>(prune_epochs);
    SparseGraph result;
    result.n_rows = graph.n_rows;
    result.n_cols = graph.n_cols;
    result.row_offsets.assign(graph.n_rows + 1, 0);
    result.columns.reserve(graph.nnz());
    result.weights.reserve(graph.nnz());
    for (std::size_t i = 0; i < graph.n_rows; ++i) {
        for (auto e = graph.row_offsets[i]; e < graph.row_offsets[i + 1]; ++e) {
            const float weight = graph.weights[static_cast<std::size_t>(e)];
            if (weight >= threshold && weight > 0.0f) {
                result.columns.push_back(graph.columns[static_cast<std::size_t>(e)]);
                result.weights.push_back(weight);
            }
        }
        result.row_offsets[i + 1] = static_cast<std::int64_t>(result.columns.size());
    }
    return result;
}

LayoutEdges make_layout_edges(const SparseGraph& graph) {
    float max_weight = 0.0f;
    for (const float weight : graph.weights) {
        max_weight = std::max(max_weight, weight);
    }
    LayoutEdges edges;
    edges.head.reserve(graph.nnz());
    edges.tail.reserve(graph.nnz());
    edges.epochs_per_sample.reserve(graph.nnz());
    for (std::size_t i = 0; i < graph.n_rows; ++i) {
        for (auto e = graph.row_offsets[i]; e < graph.row_offsets[i + 1]; ++e) {
            const float weight = graph.weights[static_cast<std::size_t>(e)];
            if (weight > 0.0f) {
                edges.head.push_back(static_cast<std::int32_t>(i));
                edges.tail.push_back(graph.columns[static_cast<std::size_t>(e)]);
                edges.epochs_per_sample.push_back(max_weight / weight);
            }
        }
    }
    return edges;
}

void optimize_layout(std::span<float> head_embedding, std::span<float> tail_embedding,
                     std::size_t dim, const LayoutEdges& edges, const LayoutParameters& parameters,
                     const Rng& rng, int jobs) {
    UADSCOPE_ASSERT(dim >= 1 && dim <= 16);
    UADSCOPE_ASSERT(head_embedding.size() % dim == 0 && tail_embedding.size() % dim == 0);
    UADSCOPE_ASSERT(!tail_embedding.empty());
    const std::size_t n_edges = edges.head.size();
    if (n_edges == 0 || parameters.n_epochs <= 0) {
        return;
    }

    EpochState state(n_edges);
    const auto negative_rate = static_cast<float>(std::max(parameters.negative_sample_rate, 1));
    for (std::size_t i = 0; i < n_edges; ++i) {
        const float period = edges.epochs_per_sample[i];
        state[i] = {static_cast<std::uint32_t>(edges.head[i]),
                    static_cast<std::uint32_t>(edges.tail[i]), period, period,
                    period / negative_rate};
    }

    const std::size_t chunks = (n_edges + chunk_edges - 1) / chunk_edges;
    const auto n_epochs = static_cast<std::size_t>(parameters.n_epochs);
    auto alpha = static_cast<float>(parameters.initial_alpha);
    for (std::size_t epoch = 0; epoch < n_epochs; ++epoch) {
        parallel_for(chunks, jobs, [&](std::size_t chunk, int) {
            Rng chunk_rng = rng.fork(epoch * chunks + chunk);
            const std::size_t begin = chunk * chunk_edges;
            const std::size_t end = std::min(n_edges, begin + chunk_edges);
            if (dim == 2) {
                run_edges<2>(begin, end, epoch, alpha, head_embedding, tail_embedding, dim, state,
                             parameters, chunk_rng);
            } else {
                run_edges<0>(begin, end, epoch, alpha, head_embedding, tail_embedding, dim, state,
                             parameters, chunk_rng);
            }
        });
        // umap-learn sets the rate for epoch n + 1 from n, so epochs 0 and 1 share it.
        alpha =
            static_cast<float>(parameters.initial_alpha *
                               (1.0 - static_cast<double>(epoch) / static_cast<double>(n_epochs)));
    }
}

}  // namespace uadscope::umap
