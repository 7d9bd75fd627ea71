#pragma once

// UMAP (McInnes, Healy and Melville 2018) with the semantics and defaults of umap-learn 0.5.
//
// Layout: input rows are row-major float32, n rows x d columns, passed as a span of n * d
// values; embeddings are row-major float32 [n, n_components].
//
// Steps (one file each): kNN graph (neighbors/knn_graph.h), fuzzy simplicial set
// (fuzzy_set.h), spectral initialisation (spectral_init.h), a and b of the output curve
// (curve_fit.h), SGD layout (layout.h).
//
// Reproducibility: every random draw derives from UmapOptions::seed. With jobs = 1 the same
// input and options give a bit-identical embedding on every run. With several threads the
// SGD updates race (Hogwild, as umap-learn's parallel mode) and HNSW inserts in thread
// order, so results differ slightly between runs and thread counts.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "neighbors/knn_graph.h"

namespace uadscope::umap {

// Defaults of umap-learn 0.5 (UMAP.__init__).
inline constexpr int default_n_neighbors = 15;
inline constexpr int default_n_components = 2;
inline constexpr float default_min_dist = 0.1f;
inline constexpr float default_spread = 1.0f;
inline constexpr float default_learning_rate = 1.0f;
inline constexpr int default_negative_sample_rate = 5;
inline constexpr float default_local_connectivity = 1.0f;
inline constexpr float default_set_op_mix_ratio = 1.0f;
inline constexpr float default_repulsion_strength = 1.0f;
// Epochs when UmapOptions::n_epochs is 0: 500 up to small_data_max_rows rows, else 200.
inline constexpr int default_epochs_small = 500;
inline constexpr int default_epochs_large = 200;
inline constexpr std::size_t small_data_max_rows = 10000;
// Epochs of transform when UmapOptions::n_epochs is 0: 100 up to small_data_max_rows new
// rows, else 30; with n_epochs set, n_epochs / 3.
inline constexpr int default_transform_epochs_small = 100;
inline constexpr int default_transform_epochs_large = 30;

enum class InitMethod {
    // Eigenvectors of the graph's normalised Laplacian, each connected component on its own;
    // falls back to random with a warning when the eigensolver fails.
    spectral,
    // Uniform in [-10, 10].
    random,
};

// "spectral" or "random".
const char* to_string(InitMethod init);
// Parses "spectral" or "random"; throws Error naming the value otherwise.
InitMethod parse_init_method(const std::string& name);

struct UmapOptions {
    // Neighbourhood size counting the point itself, as in umap-learn: the kNN graph has
    // n_neighbors - 1 other rows per row. In [2, 1000]; larger values favour global
    // structure. With n <= n_neighbors rows, all n - 1 other rows are used, with a warning.
    int n_neighbors = default_n_neighbors;
    // Output dimensions, in [1, 16].
    int n_components = default_n_components;
    // Minimum distance between embedded points, in [0, spread]; larger spreads clusters.
    float min_dist = default_min_dist;
    // Scale of the embedded clusters, > 0.
    float spread = default_spread;
    // Epochs; 0 picks 500 for n <= 10000 rows, else 200.
    int n_epochs = 0;
    // Initial SGD learning rate, > 0.
    float learning_rate = default_learning_rate;
    // Negative samples per positive sample, in [0, 100].
    int negative_sample_rate = default_negative_sample_rate;
    // Neighbours assumed connected to each point, >= 0.
    float local_connectivity = default_local_connectivity;
    // 1 = fuzzy union of the directed kNN memberships, 0 = intersection, in [0, 1].
    float set_op_mix_ratio = default_set_op_mix_ratio;
    // Weight of the negative samples, >= 0 (umap-learn's repulsion_strength, gamma).
    float repulsion_strength = default_repulsion_strength;
    // Parameters of the output curve 1 / (1 + a d^(2b)); both 0 fits them from min_dist and
    // spread, otherwise both must be positive.
    double a = 0.0;
    double b = 0.0;
    InitMethod init = InitMethod::spectral;
    std::uint64_t seed = 0;
    // Threads; 0 means all hardware threads. See the reproducibility note above.
    int jobs = 0;
    // kNN method and HNSW parameters; its jobs, seed and row_label are replaced by the
    // values here.
    neighbors::KnnOptions knn;
    // Names the origin of a row ("file X frame Y") in error messages about bad values.
    neighbors::RowLabel row_label;
    // Keep the kNN index in the model so that transform can query it (costs a copy of the
    // data for the exact search and for projected HNSW indexes).
    bool keep_index = true;
};

// Throws Error naming the first invalid option, its value and the valid range.
void validate_options(const UmapOptions& options);

// A fitted map.
struct UmapModel {
    std::size_t n = 0;  // rows fitted
    std::size_t d = 0;  // input columns
    int n_components = default_n_components;
    // [n, n_components], finite.
    std::vector<float> embedding;
    // Self kNN graph of the input (self excluded), k = n_neighbors_used - 1 columns.
    neighbors::KnnGraph knn;
    // n_neighbors after the reduction for small inputs (umap-learn's count, with the point).
    int n_neighbors_used = default_n_neighbors;
    int n_epochs_used = 0;
    double a = 0.0;
    double b = 0.0;
    // Connected components of the fuzzy graph after dropping weak edges.
    std::size_t connected_components = 0;
    // The initialisation actually used: random when requested or after a spectral failure.
    InitMethod init_used = InitMethod::spectral;
    // Edges of the fuzzy graph that the layout sampled.
    std::size_t layout_edges = 0;
    // Warnings also logged during the fit (small input, several components, fallbacks).
    std::vector<std::string> warnings;
    UmapOptions options;
    // The kNN index over the fitted rows, for transform; empty unless options.keep_index.
    std::optional<neighbors::KnnIndex> index;
};

// Fits UMAP to `data` (n x d). Throws Error for n < 2, invalid options, or a NaN or
// infinite value (naming its row through options.row_label).
UmapModel fit(std::span<const float> data, std::size_t n, std::size_t d,
              const UmapOptions& options = {});

struct TransformResult {
    // [n_new, n_components]
    std::vector<float> embedding;
    // The n_neighbors_used nearest fitted rows of each new row.
    neighbors::KnnGraph knn;
};

// Places new rows (n_new x model.d) into the fitted map without moving it (umap-learn's
// transform): memberships to their nearest fitted rows, initial positions at the
// membership-weighted mean of those rows' embeddings, then SGD on the new points alone with
// learning rate learning_rate / 4. `row_label` names new rows in error messages. Throws
// Error when the model kept no index, the width differs, or a value is not finite.
TransformResult transform(const UmapModel& model, std::span<const float> data, std::size_t n_new,
                          const neighbors::RowLabel& row_label = {});

}  // namespace uadscope::umap
