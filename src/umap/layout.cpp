#include "umap/layout.h"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>

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
// Negative samples measured together (see the note in layout.h).
constexpr int negative_batch = 8;
static_assert(negative_batch % vector_lanes == 0);

float clip(float value) {
    return std::min(gradient_clip, std::max(-gradient_clip, value));
}

// Relaxed atomic access to embedding coordinates: Hogwild threads may read and write the
// same point, which must not be a data race in C++ terms. On x86 these are plain moves.
float load(float& value) {
    return std::atomic_ref<float>(value).load(std::memory_order_relaxed);
}

void store(float& value, float update) {
    std::atomic_ref<float>(value).store(update, std::memory_order_relaxed);
}

struct EpochState {
    std::vector<float> next_sample;           // epoch_of_next_sample
    std::vector<float> next_negative_sample;  // epoch_of_next_negative_sample
};

// One epoch over edges [begin, end). Dim is the embedding dimension, or 0 for dim at run
// time.
template <std::size_t Dim>
void run_edges(std::size_t begin, std::size_t end, std::size_t epoch, float alpha,
               std::span<float> head_embedding, std::span<float> tail_embedding,
               std::size_t dim_runtime, const LayoutEdges& edges, EpochState& state,
               const LayoutParameters& parameters, Rng& rng) {
    const std::size_t dim = Dim == 0 ? dim_runtime : Dim;
    const auto a = static_cast<float>(parameters.a);
    const auto b = static_cast<float>(parameters.b);
    const auto gamma = static_cast<float>(parameters.gamma);
    const auto negative_rate = static_cast<float>(parameters.negative_sample_rate);
    const std::size_t n_tail = tail_embedding.size() / dim;
    const auto now = static_cast<float>(epoch);
    float current[Dim == 0 ? 16 : Dim];
    float other[Dim == 0 ? 16 : Dim];

    for (std::size_t i = begin; i < end; ++i) {
        if (state.next_sample[i] > now) {
            continue;
        }
        const auto j = static_cast<std::size_t>(edges.head[i]);
        const auto k = static_cast<std::size_t>(edges.tail[i]);
        float* current_point = head_embedding.data() + j * dim;
        float* other_point = tail_embedding.data() + k * dim;

        float squared = 0.0f;
        for (std::size_t d = 0; d < dim; ++d) {
            current[d] = load(current_point[d]);
            other[d] = load(other_point[d]);
            const float diff = current[d] - other[d];
            squared += diff * diff;
        }
        float coefficient = 0.0f;
        if (squared > 0.0f) {
            const float power = fast_pow(squared, b);  // squared^b
            coefficient = -2.0f * a * b * (power / squared) / (a * power + 1.0f);
        }
        for (std::size_t d = 0; d < dim; ++d) {
            const float gradient = clip(coefficient * (current[d] - other[d]));
            current[d] += gradient * alpha;
            store(current_point[d], current[d]);
            if (parameters.move_other) {
                store(other_point[d], other[d] - gradient * alpha);
            }
        }
        const float period = edges.epochs_per_sample[i];
        state.next_sample[i] += period;

        if (parameters.negative_sample_rate <= 0) {
            continue;
        }
        const float negative_period = period / negative_rate;
        const int negative_count =
            static_cast<int>((now - state.next_negative_sample[i]) / negative_period);
        // Negative samples in batches: draw and load a batch, compute its coefficients from
        // the same position of the current point, then apply the clipped gradients.
        for (int done = 0; done < negative_count; done += negative_batch) {
            const int batch = std::min(negative_batch, negative_count - done);
            float sample_coordinates[negative_batch][Dim == 0 ? 16 : Dim];
            for (int p = 0; p < batch; ++p) {
                const auto sample = static_cast<std::size_t>(rng.uniform_int(n_tail));
                float* sample_point = tail_embedding.data() + sample * dim;
                for (std::size_t d = 0; d < dim; ++d) {
                    sample_coordinates[p][d] = load(sample_point[d]);
                }
            }
            // Coefficients 2 gamma b / ((0.001 + d^2) (a d^2b + 1)) of the whole batch in
            // vector registers; unused lanes and samples at distance 0 (the point itself or a
            // duplicate) get 0, which umap-learn gives them too.
            float coefficients[negative_batch];
            for (int first = 0; first < batch; first += vector_lanes) {
                FloatVector distances;
                for (int lane = 0; lane < vector_lanes; ++lane) {
                    const int p = first + lane;
                    float distance = 1.0f;
                    if (p < batch) {
                        distance = 0.0f;
                        for (std::size_t d = 0; d < dim; ++d) {
                            const float diff = current[d] - sample_coordinates[p][d];
                            distance += diff * diff;
                        }
                    }
                    distances[lane] = distance;
                }
                const FloatVector powers = fast_pow(distances, b);
                FloatVector values =
                    (2.0f * gamma * b) / ((repulsion_epsilon + distances) * (a * powers + 1.0f));
                values = distances >= FLT_MIN ? values : 0.0f;
                for (int lane = 0; lane < vector_lanes; ++lane) {
                    coefficients[first + lane] = values[lane];
                }
            }
            for (int p = 0; p < batch; ++p) {
                if (coefficients[p] > 0.0f) {
                    for (std::size_t d = 0; d < dim; ++d) {
                        const float gradient =
                            clip(coefficients[p] * (current[d] - sample_coordinates[p][d]));
                        current[d] += gradient * alpha;
                    }
                }
            }
        }
        for (std::size_t d = 0; d < dim; ++d) {
            store(current_point[d], current[d]);
        }
        state.next_negative_sample[i] += static_cast<float>(negative_count) * negative_period;
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

    EpochState state;
    state.next_sample = edges.epochs_per_sample;
    state.next_negative_sample.resize(n_edges);
    const auto negative_rate = static_cast<float>(std::max(parameters.negative_sample_rate, 1));
    for (std::size_t i = 0; i < n_edges; ++i) {
        state.next_negative_sample[i] = edges.epochs_per_sample[i] / negative_rate;
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
                run_edges<2>(begin, end, epoch, alpha, head_embedding, tail_embedding, dim, edges,
                             state, parameters, chunk_rng);
            } else {
                run_edges<0>(begin, end, epoch, alpha, head_embedding, tail_embedding, dim, edges,
                             state, parameters, chunk_rng);
            }
        });
        // umap-learn sets the rate for epoch n + 1 from n, so epochs 0 and 1 share it.
        alpha =
            static_cast<float>(parameters.initial_alpha *
                               (1.0 - static_cast<double>(epoch) / static_cast<double>(n_epochs)));
    }
}

}  // namespace uadscope::umap
