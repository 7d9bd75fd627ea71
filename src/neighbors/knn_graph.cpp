#include "neighbors/knn_graph.h"

#include <cmath>
#include <variant>

#include <fmt/format.h>

#include "core/error.h"
#include "core/log.h"
#include "core/parallel.h"
#include "neighbors/clustered_search.h"
#include "neighbors/exact_search.h"
#include "neighbors/hnsw_search.h"

namespace uadscope::neighbors {

const char* to_string(KnnMethod method) {
    switch (method) {
        case KnnMethod::automatic:
            return "automatic";
        case KnnMethod::exact:
            return "exact";
        case KnnMethod::hnsw:
            return "hnsw";
        case KnnMethod::clustered:
            return "clustered";
    }
    return "automatic";
}

KnnMethod parse_knn_method(const std::string& name) {
    if (name == "automatic") {
        return KnnMethod::automatic;
    }
    if (name == "exact") {
        return KnnMethod::exact;
    }
    if (name == "hnsw") {
        return KnnMethod::hnsw;
    }
    if (name == "clustered") {
        return KnnMethod::clustered;
    }
    throw Error(
        fmt::format("invalid kNN method '{}': use automatic, exact, hnsw or clustered", name));
}

namespace {

std::string describe_row(std::size_t row, const RowLabel& row_label) {
    if (row_label) {
        return fmt::format("row {} ({})", row, row_label(row));
    }
    return fmt::format("row {}", row);
}

void check_shape(std::span<const float> data, std::size_t n, std::size_t d, const char* what) {
    if (d == 0) {
        throw Error(
            fmt::format("{}: the dimension d is 0; each row needs at least one value", what));
    }
    if (data.size() != n * d) {
        throw Error(fmt::format("{}: {} values do not form {} rows of {} columns", what,
                                data.size(), n, d));
    }
}

void check_options(const KnnOptions& options) {
    const HnswOptions& hnsw = options.hnsw;
    if (hnsw.m < 2 || hnsw.m > 100) {
        throw Error(fmt::format("invalid HNSW m {}: use a value in [2, 100] (default {})", hnsw.m,
                                default_hnsw_m));
    }
    if (hnsw.ef_construction < hnsw.m || hnsw.ef_construction > 4096) {
        throw Error(fmt::format(
            "invalid HNSW ef_construction {}: use a value in [m = {}, 4096] (default {})",
            hnsw.ef_construction, hnsw.m, default_hnsw_ef_construction));
    }
    if (hnsw.ef_search < 1 || hnsw.ef_search > 4096) {
        throw Error(fmt::format("invalid HNSW ef_search {}: use a value in [1, 4096] (default {})",
                                hnsw.ef_search, default_hnsw_ef_search));
    }
    if (hnsw.projection_dims < 0) {
        throw Error(fmt::format(
            "invalid HNSW projection_dims {}: use 0 (never project) or a positive number of "
            "principal components (default {})",
            hnsw.projection_dims, default_hnsw_projection_dims));
    }
    if (!(hnsw.projection_min_recall >= 0.0 && hnsw.projection_min_recall <= 1.0)) {
        throw Error(
            fmt::format("invalid HNSW projection_min_recall {}: use a value in [0, 1] (default {})",
                        hnsw.projection_min_recall, default_hnsw_projection_min_recall));
    }
    const ClusteredOptions& clustered = options.clustered;
    if (clustered.list_rows < 16 || clustered.list_rows > 1000000) {
        throw Error(
            fmt::format("invalid clustered list_rows {}: use a value in [16, 1000000] (default {})",
                        clustered.list_rows, default_clustered_list_rows));
    }
    if (!(clustered.min_recall >= 0.0 && clustered.min_recall <= 1.0)) {
        throw Error(
            fmt::format("invalid clustered min_recall {}: use a value in [0, 1] (default {})",
                        clustered.min_recall, default_clustered_min_recall));
    }
    if (hnsw.rerank_extra < 0 || hnsw.rerank_extra > 1000) {
        throw Error(
            fmt::format("invalid HNSW rerank_extra {}: use a value in [0, 1000] (default {})",
                        hnsw.rerank_extra, default_hnsw_rerank_extra));
    }
}

// The k of the recall check that sizes a clustered index: UMAP's default graph.
constexpr int clustered_recall_k = 15;

}  // namespace

void check_finite(std::span<const float> data, std::size_t n, std::size_t d,
                  const std::string& what, const RowLabel& row_label) {
    UADSCOPE_ASSERT(data.size() == n * d);
    for (std::size_t i = 0; i < n; ++i) {
        const float* row = data.data() + i * d;
        for (std::size_t j = 0; j < d; ++j) {
            if (!std::isfinite(row[j])) {
                throw Error(fmt::format(
                    "{}: {}, column {} is {}; remove or repair non-finite values before mapping",
                    what, describe_row(i, row_label), j, row[j]));
            }
        }
    }
}

struct KnnIndex::Impl {
    KnnOptions options;
    std::variant<detail::ExactReference, std::unique_ptr<detail::HnswIndex>,
                 std::unique_ptr<detail::ClusteredIndex>>
        index;

    std::size_t n() const {
        return std::visit(
            [](const auto& held) -> std::size_t {
                if constexpr (std::is_same_v<std::decay_t<decltype(held)>,
                                             detail::ExactReference>) {
                    return held.n;
                } else {
                    return held->n();
                }
            },
            index);
    }
    std::size_t d() const {
        return std::visit(
            [](const auto& held) -> std::size_t {
                if constexpr (std::is_same_v<std::decay_t<decltype(held)>,
                                             detail::ExactReference>) {
                    return held.d;
                } else {
                    return held->d();
                }
            },
            index);
    }
};

KnnIndex KnnIndex::build(std::span<const float> reference, std::size_t n, std::size_t d,
                         const KnnOptions& options, bool copy_data) {
    check_shape(reference, n, d, "kNN reference");
    if (n == 0) {
        throw Error("kNN reference: no rows; a kNN index needs at least one row");
    }
    check_options(options);
    check_finite(reference, n, d, "kNN reference", options.row_label);

    auto impl = std::make_shared<Impl>();
    impl->options = options;
    const int jobs = resolve_jobs(options.jobs);
    KnnOptions resolved = options;
    resolved.jobs = jobs;
    KnnMethod method = options.method;
    if (method == KnnMethod::automatic) {
        method = n <= options.exact_max_rows ? KnnMethod::exact : KnnMethod::clustered;
    }
    if (method == KnnMethod::exact || n < 2) {
        impl->index = detail::prepare_exact_reference(reference, n, d, jobs);
        return KnnIndex(std::move(impl));
    }
    if (method == KnnMethod::clustered) {
        auto clustered =
            std::make_unique<detail::ClusteredIndex>(reference, n, d, resolved, clustered_recall_k);
        if (options.method == KnnMethod::clustered || clustered->worthwhile()) {
            impl->index = std::move(clustered);
            return KnnIndex(std::move(impl));
        }
        spdlog::info(
            "kNN: the k-means lists need {:.0f} candidate rows per query (more than {}) to reach "
            "recall {}; using HNSW",
            clustered->candidates_per_query(), options.clustered.max_candidates,
            options.clustered.min_recall);
    }
    impl->index = std::make_unique<detail::HnswIndex>(reference, n, d, resolved, copy_data);
    return KnnIndex(std::move(impl));
}

std::size_t KnnIndex::n() const {
    return impl_->n();
}

std::size_t KnnIndex::d() const {
    return impl_->d();
}

KnnMethod KnnIndex::method() const {
    switch (impl_->index.index()) {
        case 0:
            return KnnMethod::exact;
        case 1:
            return KnnMethod::hnsw;
        default:
            return KnnMethod::clustered;
    }
}

KnnGraph KnnIndex::self_graph(int k) const {
    const std::size_t n = impl_->n();
    if (k < 1 || static_cast<std::size_t>(k) >= n) {
        throw Error(fmt::format(
            "kNN graph: k = {} neighbours requested among {} rows; k must be in [1, n - 1 = {}]", k,
            n, n == 0 ? 0 : n - 1));
    }
    const int jobs = resolve_jobs(impl_->options.jobs);
    if (const auto* exact = std::get_if<detail::ExactReference>(&impl_->index)) {
        std::vector<std::int64_t> excluded(n);
        for (std::size_t i = 0; i < n; ++i) {
            excluded[i] = static_cast<std::int64_t>(i);
        }
        return detail::exact_search(*exact, exact->data, n, k, excluded, jobs);
    }
    if (const auto* clustered = std::get_if<2>(&impl_->index)) {
        return (*clustered)->self_graph(k, jobs);
    }
    return std::get<1>(impl_->index)->self_graph(k, jobs);
}

KnnGraph KnnIndex::query(std::span<const float> queries, std::size_t n_queries, int k) const {
    const std::size_t n = impl_->n();
    const std::size_t d = impl_->d();
    check_shape(queries, n_queries, d, "kNN query");
    if (k < 1 || static_cast<std::size_t>(k) > n) {
        throw Error(fmt::format(
            "kNN query: k = {} neighbours requested among {} reference rows; k must be in [1, {}]",
            k, n, n));
    }
    check_finite(queries, n_queries, d, "kNN query");
    const int jobs = resolve_jobs(impl_->options.jobs);
    if (const auto* exact = std::get_if<detail::ExactReference>(&impl_->index)) {
        const std::vector<float> centred = detail::centre_queries(*exact, queries, n_queries);
        return detail::exact_search(*exact, centred, n_queries, k, {}, jobs);
    }
    if (const auto* clustered = std::get_if<2>(&impl_->index)) {
        return (*clustered)->query(queries, n_queries, k, jobs);
    }
    return std::get<1>(impl_->index)->query(queries, n_queries, k, jobs);
}

KnnGraph build_knn_graph(std::span<const float> data, std::size_t n, std::size_t d, int k,
                         const KnnOptions& options) {
    check_shape(data, n, d, "kNN input");
    if (k < 1 || static_cast<std::size_t>(k) >= n) {
        throw Error(fmt::format(
            "kNN graph: k = {} neighbours requested among {} rows; k must be in [1, n - 1 = {}]", k,
            n, n == 0 ? 0 : n - 1));
    }
    const KnnIndex index = KnnIndex::build(data, n, d, options, false);
    KnnGraph graph = index.self_graph(k);
    if (graph.method != KnnMethod::exact && options.recall_sample > 0) {
        graph.recall =
            measure_recall(graph, data, n, d, options.recall_sample, options.seed, options.jobs);
        spdlog::info("{} kNN graph: {} rows, k = {}, recall {:.4f} on {} sampled rows",
                     to_string(graph.method), n, k, graph.recall,
                     std::min(n, options.recall_sample));
    }
    return graph;
}

KnnGraph query_knn(std::span<const float> reference, std::size_t n_reference,
                   std::span<const float> queries, std::size_t n_queries, std::size_t d, int k,
                   const KnnOptions& options) {
    const KnnIndex index = KnnIndex::build(reference, n_reference, d, options);
    return index.query(queries, n_queries, k);
}

void validate_knn_graph(const KnnGraph& graph, std::size_t n_reference, bool self_excluded) {
    const auto k = static_cast<std::size_t>(graph.k);
    if (graph.k < 1 || graph.indices.size() != graph.n * k ||
        graph.distances.size() != graph.n * k) {
        throw Error(
            fmt::format("kNN graph: {} indices and {} distances do not form {} rows of k = {}",
                        graph.indices.size(), graph.distances.size(), graph.n, graph.k));
    }
    std::vector<std::int32_t> sorted(k);
    for (std::size_t i = 0; i < graph.n; ++i) {
        const auto indices = graph.row_indices(i);
        const auto distances = graph.row_distances(i);
        for (std::size_t j = 0; j < k; ++j) {
            if (indices[j] < 0 || static_cast<std::size_t>(indices[j]) >= n_reference) {
                throw Error(fmt::format("kNN graph: row {} lists index {} outside [0, {})", i,
                                        indices[j], n_reference));
            }
            if (self_excluded && static_cast<std::size_t>(indices[j]) == i) {
                throw Error(fmt::format("kNN graph: row {} lists itself", i));
            }
            if (!std::isfinite(distances[j]) || distances[j] < 0.0f) {
                throw Error(fmt::format("kNN graph: row {} has distance {} at position {}", i,
                                        distances[j], j));
            }
            if (j > 0 && distances[j] < distances[j - 1]) {
                throw Error(
                    fmt::format("kNN graph: row {} distances decrease at position {} ({} after {})",
                                i, j, distances[j], distances[j - 1]));
            }
        }
        sorted.assign(indices.begin(), indices.end());
        std::sort(sorted.begin(), sorted.end());
        if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
            throw Error(fmt::format("kNN graph: row {} lists an index twice", i));
        }
    }
}

}  // namespace uadscope::neighbors
