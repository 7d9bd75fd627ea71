#include "umap/umap.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"
#include "core/log.h"
#include "core/parallel.h"
#include "core/random.h"
#include "umap/curve_fit.h"
#include "umap/fuzzy_set.h"
#include "umap/layout.h"
#include "umap/spectral_init.h"

namespace uadscope::umap {
namespace {

// Standard deviation of the noise added to the scaled spectral layout, and the largest
// coordinate of that layout (umap-learn's noisy_scale_coords).
constexpr double init_noise = 0.0001;
constexpr double init_max_coordinate = 10.0;
// The layout starts from coordinates scaled to [0, layout_start_range] per dimension.
constexpr float layout_start_range = 10.0f;
// Independent random streams, forked from the seed.
enum Stream : std::uint64_t {
    spectral_stream = 1,
    init_stream = 2,
    layout_stream = 3,
    transform_stream = 4
};

// Wall and process CPU time of a step, for the log lines that time each step (CPU time
// tells the cost apart from waiting on a shared machine).
class StepTimer {
  public:
    StepTimer() { restart(); }
    void restart() {
        wall_ = std::chrono::steady_clock::now();
        cpu_ = std::clock();
    }
    std::string elapsed() const {
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
        const double cpu = static_cast<double>(std::clock() - cpu_) / CLOCKS_PER_SEC;
        return fmt::format("{:.1f} s (CPU {:.1f} s)", wall, cpu);
    }

  private:
    std::chrono::steady_clock::time_point wall_;
    std::clock_t cpu_;
};

void warn(UmapModel& model, std::string message) {
    spdlog::warn("UMAP: {}", message);
    model.warnings.push_back(std::move(message));
}

void check_data(std::span<const float> data, std::size_t n, std::size_t d, const char* what) {
    if (d == 0) {
        throw Error(
            fmt::format("{}: the dimension d is 0; each row needs at least one value", what));
    }
    if (data.size() != n * d) {
        throw Error(fmt::format("{}: {} values do not form {} rows of {} columns", what,
                                data.size(), n, d));
    }
}

// umap-learn's noisy_scale_coords followed by the scaling of each dimension to
// [0, layout_start_range] in simplicial_set_embedding.
std::vector<float> scale_initial_coordinates(const std::vector<double>& coordinates, std::size_t n,
                                             std::size_t dim, bool add_noise, Rng& rng) {
    std::vector<float> result(coordinates.size());
    double largest = 0.0;
    for (const double value : coordinates) {
        largest = std::max(largest, std::fabs(value));
    }
    const double expansion = largest > 0.0 ? init_max_coordinate / largest : 1.0;
    for (std::size_t i = 0; i < coordinates.size(); ++i) {
        const float scaled = static_cast<float>(coordinates[i] * expansion);
        result[i] = add_noise ? scaled + static_cast<float>(init_noise * rng.normal()) : scaled;
    }
    for (std::size_t c = 0; c < dim; ++c) {
        float low = std::numeric_limits<float>::infinity();
        float high = -std::numeric_limits<float>::infinity();
        for (std::size_t i = 0; i < n; ++i) {
            low = std::min(low, result[i * dim + c]);
            high = std::max(high, result[i * dim + c]);
        }
        // A dimension without spread (possible only for degenerate graphs) starts at the
        // middle of the range instead of dividing by zero.
        for (std::size_t i = 0; i < n; ++i) {
            float& value = result[i * dim + c];
            value = high > low ? layout_start_range * (value - low) / (high - low)
                               : layout_start_range / 2.0f;
        }
    }
    return result;
}

}  // namespace

const char* to_string(InitMethod init) {
    return init == InitMethod::spectral ? "spectral" : "random";
}

InitMethod parse_init_method(const std::string& name) {
    if (name == "spectral") {
        return InitMethod::spectral;
    }
    if (name == "random") {
        return InitMethod::random;
    }
    throw Error(fmt::format("invalid UMAP init '{}': use spectral or random", name));
}

void validate_options(const UmapOptions& options) {
    if (options.n_neighbors < 2 || options.n_neighbors > 1000) {
        throw Error(
            fmt::format("invalid UMAP n_neighbors {}: use a value in [2, 1000] (default {})",
                        options.n_neighbors, default_n_neighbors));
    }
    if (options.n_components < 1 || options.n_components > 16) {
        throw Error(fmt::format("invalid UMAP n_components {}: use a value in [1, 16] (default {})",
                                options.n_components, default_n_components));
    }
    if (!(options.spread > 0.0f) || !std::isfinite(options.spread)) {
        throw Error(fmt::format("invalid UMAP spread {}: use a positive value (default {})",
                                options.spread, default_spread));
    }
    if (!(options.min_dist >= 0.0f) || options.min_dist > options.spread) {
        throw Error(
            fmt::format("invalid UMAP min_dist {}: use a value in [0, spread = {}] (default {})",
                        options.min_dist, options.spread, default_min_dist));
    }
    if (options.n_epochs < 0 || options.n_epochs > 100000) {
        throw Error(fmt::format(
            "invalid UMAP n_epochs {}: use 0 (automatic: {} up to {} rows, else {}) or a value "
            "in [1, 100000]",
            options.n_epochs, default_epochs_small, small_data_max_rows, default_epochs_large));
    }
    if (!(options.learning_rate > 0.0f) || !std::isfinite(options.learning_rate)) {
        throw Error(fmt::format("invalid UMAP learning_rate {}: use a positive value (default {})",
                                options.learning_rate, default_learning_rate));
    }
    if (options.negative_sample_rate < 0 || options.negative_sample_rate > 100) {
        throw Error(fmt::format(
            "invalid UMAP negative_sample_rate {}: use a value in [0, 100] (default {})",
            options.negative_sample_rate, default_negative_sample_rate));
    }
    if (!(options.local_connectivity >= 0.0f) || !std::isfinite(options.local_connectivity)) {
        throw Error(fmt::format("invalid UMAP local_connectivity {}: use a value >= 0 (default {})",
                                options.local_connectivity, default_local_connectivity));
    }
    if (!(options.set_op_mix_ratio >= 0.0f && options.set_op_mix_ratio <= 1.0f)) {
        throw Error(
            fmt::format("invalid UMAP set_op_mix_ratio {}: use a value in [0, 1] (default {})",
                        options.set_op_mix_ratio, default_set_op_mix_ratio));
    }
    if (!(options.repulsion_strength >= 0.0f) || !std::isfinite(options.repulsion_strength)) {
        throw Error(fmt::format("invalid UMAP repulsion_strength {}: use a value >= 0 (default {})",
                                options.repulsion_strength, default_repulsion_strength));
    }
    const bool fitted_curve = options.a == 0.0 && options.b == 0.0;
    const bool given_curve =
        options.a > 0.0 && options.b > 0.0 && std::isfinite(options.a) && std::isfinite(options.b);
    if (!fitted_curve && !given_curve) {
        throw Error(fmt::format(
            "invalid UMAP a = {}, b = {}: set both to positive values, or both to 0 to fit them "
            "from min_dist and spread",
            options.a, options.b));
    }
}

UmapModel fit(std::span<const float> data, std::size_t n, std::size_t d,
              const UmapOptions& options) {
    validate_options(options);
    check_data(data, n, d, "UMAP input");
    if (n < 2) {
        throw Error(fmt::format("UMAP input: {} rows; a map needs at least 2 rows", n));
    }
    neighbors::check_finite(data, n, d, "UMAP input", options.row_label);
    const int jobs = resolve_jobs(options.jobs);
    const Rng rng(options.seed);

    UmapModel model;
    model.n = n;
    model.d = d;
    model.n_components = options.n_components;
    model.options = options;
    model.options.jobs = jobs;

    // kNN graph. umap-learn's n_neighbors counts the point itself.
    int n_neighbors = options.n_neighbors;
    if (n <= static_cast<std::size_t>(n_neighbors)) {
        n_neighbors = static_cast<int>(n);
        warn(model, fmt::format("n_neighbors {} is not below the {} input rows; using all {} "
                                "other rows as neighbours",
                                options.n_neighbors, n, n - 1));
    }
    model.n_neighbors_used = n_neighbors;
    StepTimer timer;
    neighbors::KnnOptions knn_options = options.knn;
    knn_options.jobs = jobs;
    knn_options.seed = options.seed;
    knn_options.row_label = options.row_label;
    {
        const neighbors::KnnIndex index =
            neighbors::KnnIndex::build(data, n, d, knn_options, options.keep_index);
        model.knn = index.self_graph(n_neighbors - 1);
        if (options.keep_index) {
            model.index = index;
        }
    }
    if (model.knn.method != neighbors::KnnMethod::exact && knn_options.recall_sample > 0) {
        model.knn.recall = neighbors::measure_recall(model.knn, data, n, d,
                                                     knn_options.recall_sample, options.seed, jobs);
        spdlog::info("UMAP: {} kNN graph of {} rows, recall {:.4f} on {} sampled rows",
                     neighbors::to_string(model.knn.method), n, model.knn.recall,
                     std::min(n, knn_options.recall_sample));
    }
    spdlog::info(
        "UMAP: {} kNN graph of {} rows x {} columns, k = {} other rows (n_neighbors "
        "counts the row itself): {}",
        neighbors::to_string(model.knn.method), n, d, model.knn.k, timer.elapsed());
    timer.restart();

    // Fuzzy simplicial set, without the edges too weak to be sampled.
    const SparseGraph fuzzy =
        fuzzy_simplicial_set(model.knn, static_cast<float>(n_neighbors), options.local_connectivity,
                             options.set_op_mix_ratio, jobs);
    const int default_epochs =
        n <= small_data_max_rows ? default_epochs_small : default_epochs_large;
    model.n_epochs_used = options.n_epochs > 0 ? options.n_epochs : default_epochs;
    const int prune_epochs = model.n_epochs_used > 10 ? model.n_epochs_used : default_epochs;
    const SparseGraph graph = drop_weak_edges(fuzzy, prune_epochs);

    // Initial layout.
    const auto dim = static_cast<std::size_t>(options.n_components);
    Rng init_rng = rng.fork(init_stream);
    std::vector<double> initial;
    bool add_noise = false;
    model.init_used = options.init;
    model.connected_components = connected_components(graph).count;
    if (options.init == InitMethod::spectral) {
        Rng spectral_rng = rng.fork(spectral_stream);
        SpectralLayout layout =
            spectral_layout(graph, data, d, options.n_components, spectral_rng, jobs);
        if (layout.components > 1) {
            warn(model, fmt::format("the kNN graph has {} connected components; each is laid out "
                                    "on its own around a layout of the components",
                                    layout.components));
        }
        if (layout.random_fallback) {
            model.init_used = InitMethod::random;
            warn(model, n <= dim + 1
                            ? fmt::format("{} rows are too few for a spectral layout in {} "
                                          "dimensions; starting from random positions instead",
                                          n, dim)
                            : std::string("spectral initialisation failed (the eigensolver did "
                                          "not converge); starting from random positions "
                                          "instead"));
        }
        initial = std::move(layout.coordinates);
        add_noise = true;
    } else {
        initial.resize(n * dim);
        for (auto& value : initial) {
            value = -10.0 + 20.0 * init_rng.uniform01();
        }
    }
    model.embedding = scale_initial_coordinates(initial, n, dim, add_noise, init_rng);
    spdlog::info("UMAP: fuzzy graph of {} edges and {} initialisation: {}", graph.nnz(),
                 to_string(model.init_used), timer.elapsed());
    timer.restart();

    // SGD layout.
    CurveParameters curve{options.a, options.b};
    if (options.a == 0.0 && options.b == 0.0) {
        curve = find_ab_params(options.spread, options.min_dist);
    }
    model.a = curve.a;
    model.b = curve.b;
    const LayoutEdges edges = make_layout_edges(graph);
    model.layout_edges = edges.head.size();
    LayoutParameters parameters;
    parameters.a = curve.a;
    parameters.b = curve.b;
    parameters.gamma = options.repulsion_strength;
    parameters.initial_alpha = options.learning_rate;
    parameters.negative_sample_rate = options.negative_sample_rate;
    parameters.n_epochs = model.n_epochs_used;
    parameters.move_other = true;
    optimize_layout(model.embedding, model.embedding, dim, edges, parameters,
                    rng.fork(layout_stream), jobs);
    spdlog::info("UMAP: layout of {} epochs on {} threads: {}", model.n_epochs_used, jobs,
                 timer.elapsed());
    return model;
}

TransformResult transform(const UmapModel& model, std::span<const float> data, std::size_t n_new,
                          const neighbors::RowLabel& row_label) {
    if (!model.index) {
        throw Error(
            "UMAP transform: the model kept no kNN index; fit with keep_index = true to "
            "transform new rows");
    }
    if (data.size() != n_new * model.d) {
        throw Error(fmt::format(
            "UMAP transform: {} values do not form rows of the {} columns the map was fitted on",
            data.size(), model.d));
    }
    neighbors::check_finite(data, n_new, model.d, "UMAP transform input", row_label);
    TransformResult result;
    const auto dim = static_cast<std::size_t>(model.n_components);
    if (n_new == 0) {
        result.knn.k = std::min<int>(model.n_neighbors_used, static_cast<int>(model.n));
        return result;
    }
    const UmapOptions& options = model.options;
    const int jobs = resolve_jobs(options.jobs);

    // Memberships to the nearest fitted rows; umap-learn lowers local_connectivity by one
    // here because no row is its own neighbour.
    const int k = std::min<int>(model.n_neighbors_used, static_cast<int>(model.n));
    result.knn = model.index->query(data, n_new, k);
    const auto k_size = static_cast<std::size_t>(k);
    const SmoothKnnResult smooth =
        smooth_knn_distances(result.knn.distances, n_new, k_size, static_cast<float>(k),
                             std::max(0.0f, options.local_connectivity - 1.0f), false, jobs);
    SparseGraph graph;
    graph.n_rows = n_new;
    graph.n_cols = model.n;
    graph.row_offsets.assign(n_new + 1, 0);
    for (std::size_t i = 0; i < n_new; ++i) {
        std::vector<std::pair<std::int32_t, float>> row;
        const auto indices = result.knn.row_indices(i);
        const auto distances = result.knn.row_distances(i);
        for (std::size_t j = 0; j < k_size; ++j) {
            const float weight =
                membership_strength(distances[j], smooth.rhos[i], smooth.sigmas[i]);
            if (weight > 0.0f) {
                row.emplace_back(indices[j], weight);
            }
        }
        std::sort(row.begin(), row.end());
        for (const auto& [column, weight] : row) {
            graph.columns.push_back(column);
            graph.weights.push_back(weight);
        }
        graph.row_offsets[i + 1] = static_cast<std::int64_t>(graph.columns.size());
    }

    // Initial positions (umap-learn's init_graph_transform): a fitted row at membership 1
    // (an identical row) gives its position, otherwise the membership-weighted mean. A row
    // whose memberships all underflowed starts at its nearest neighbour instead of NaN.
    result.embedding.assign(n_new * dim, 0.0f);
    for (std::size_t i = 0; i < n_new; ++i) {
        float* point = result.embedding.data() + i * dim;
        const auto begin = static_cast<std::size_t>(graph.row_offsets[i]);
        const auto end = static_cast<std::size_t>(graph.row_offsets[i + 1]);
        double total = 0.0;
        for (std::size_t e = begin; e < end; ++e) {
            total += graph.weights[e];
        }
        std::vector<double> mean(dim, 0.0);
        bool copied = false;
        for (std::size_t e = begin; e < end && !copied; ++e) {
            const float* fitted =
                model.embedding.data() + static_cast<std::size_t>(graph.columns[e]) * dim;
            if (graph.weights[e] == 1.0f) {
                std::copy_n(fitted, dim, point);
                copied = true;
                break;
            }
            for (std::size_t c = 0; c < dim; ++c) {
                mean[c] += graph.weights[e] / total * fitted[c];
            }
        }
        if (copied) {
            continue;
        }
        if (end == begin) {
            const auto nearest = static_cast<std::size_t>(result.knn.row_indices(i)[0]);
            std::copy_n(model.embedding.data() + nearest * dim, dim, point);
            continue;
        }
        for (std::size_t c = 0; c < dim; ++c) {
            point[c] = static_cast<float>(mean[c]);
        }
    }

    // SGD of the new points against a copy of the fitted embedding, which stays unchanged.
    int n_epochs = options.n_epochs > 0
                       ? options.n_epochs / 3
                       : (n_new <= small_data_max_rows ? default_transform_epochs_small
                                                       : default_transform_epochs_large);
    n_epochs = std::max(n_epochs, 1);
    const LayoutEdges edges = make_layout_edges(drop_weak_edges(graph, n_epochs));
    std::vector<float> fitted = model.embedding;
    LayoutParameters parameters;
    parameters.a = model.a;
    parameters.b = model.b;
    parameters.gamma = options.repulsion_strength;
    parameters.initial_alpha = options.learning_rate / 4.0;
    parameters.negative_sample_rate = options.negative_sample_rate;
    parameters.n_epochs = n_epochs;
    parameters.move_other = false;
    optimize_layout(result.embedding, fitted, dim, edges, parameters,
                    Rng(options.seed).fork(transform_stream), jobs);
    return result;
}

}  // namespace uadscope::umap
