#pragma once

// k-nearest-neighbour graphs under the Euclidean distance, exact or approximate.
//
// Layout: every data matrix is row-major float32, n rows x d columns, passed as a span of
// n * d values. A KnnGraph stores, for each of its n rows, the k nearest rows of the
// reference matrix in order of increasing distance: indices int32 [n, k] and distances
// float32 [n, k], both row-major.
//
// Three methods:
// - exact: blocked distances with OpenBLAS sgemm, candidates re-ranked in double precision;
// - clustered: k-means lists, each searched exactly against as many of its nearest lists as
//   reach a measured recall;
// - HNSW graphs (hnswlib, Malkov and Yashunin 2018).
// KnnMethod::automatic picks exact up to KnnOptions::exact_max_rows reference rows. Above
// that, it picks clustered when the lists reach the recall within
// ClusteredOptions::max_candidates candidate rows per query, and HNSW otherwise.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace uadscope::neighbors {

enum class KnnMethod { automatic, exact, hnsw, clustered };

// "automatic", "exact", "hnsw" or "clustered".
const char* to_string(KnnMethod method);
// Parses "automatic", "exact", "hnsw" or "clustered"; throws Error naming the value otherwise.
KnnMethod parse_knn_method(const std::string& name);

// Default for KnnOptions::exact_max_rows. Above it, HNSW is faster than the exact search
// on 2 cores for d = 128 to 640 (see docs/benchmarks.md) and reaches recall >= 0.95.
inline constexpr std::size_t default_exact_max_rows = 20000;

// HNSW build and search parameters (hnswlib's names where hnswlib has them). Larger values
// raise recall and cost.
inline constexpr int default_hnsw_m = 16;
inline constexpr int default_hnsw_ef_construction = 150;
inline constexpr int default_hnsw_ef_search = 128;
inline constexpr int default_hnsw_projection_dims = 96;
inline constexpr double default_hnsw_projection_min_recall = 0.98;
inline constexpr int default_hnsw_rerank_extra = 16;

struct HnswOptions {
    // Links per node and layer, in [2, 100].
    int m = default_hnsw_m;
    // Candidate list size while inserting, in [m, 4096].
    int ef_construction = default_hnsw_ef_construction;
    // Candidate list size while searching, in [1, 4096]; the search uses at least the number
    // of candidates it returns plus one.
    int ef_search = default_hnsw_ef_search;
    // Distances cost time in proportion to the columns, so rows with more than
    // 2 * projection_dims columns may be indexed by their first projection_dims principal
    // components, and the candidates found there re-ranked by their distances in all
    // columns. The projection is used only when, on a sample of rows, at least
    // projection_min_recall of the exact neighbours are among the projected candidates
    // (wide data of low intrinsic dimension passes; 640-column log-mel stacks do not).
    // 0 never projects. The clustered search uses the same three settings.
    int projection_dims = default_hnsw_projection_dims;
    // In [0, 1].
    double projection_min_recall = default_hnsw_projection_min_recall;
    // Without projection, store the rows in half precision when the CPU converts it in
    // hardware (F16C or AVX-512), which halves the memory traffic of each distance.
    bool half_precision = true;
    // With projection or half precision, each search collects k + rerank_extra candidates
    // and re-ranks them by float distances in all columns; in [0, 1000].
    int rerank_extra = default_hnsw_rerank_extra;
};

// Clustered search parameters. min_recall, measured on a sample, decides how many nearest
// lists each list searches. max_candidates is the largest number of candidate rows per query
// at which the automatic choice takes the clustered search over HNSW.
inline constexpr std::size_t default_clustered_list_rows = 1000;
inline constexpr double default_clustered_min_recall = 0.99;
inline constexpr std::size_t default_clustered_max_candidates = 16000;

struct ClusteredOptions {
    // In [16, 1 000 000].
    std::size_t list_rows = default_clustered_list_rows;
    // In [0, 1].
    double min_recall = default_clustered_min_recall;
    std::size_t max_candidates = default_clustered_max_candidates;
};

// Default for KnnOptions::recall_sample: rows whose exact neighbours are computed to
// report the recall of an HNSW graph (0 skips the measurement).
inline constexpr std::size_t default_recall_sample = 256;

// Maps a row index to a human-readable origin such as "file X frame Y", used in error
// messages about bad input values. May be empty.
using RowLabel = std::function<std::string(std::size_t row)>;

struct KnnOptions {
    KnnMethod method = KnnMethod::automatic;
    // Largest reference size for which KnnMethod::automatic chooses the exact search.
    std::size_t exact_max_rows = default_exact_max_rows;
    HnswOptions hnsw;
    ClusteredOptions clustered;
    // Threads; 0 means all hardware threads. The exact search gives the same result for any
    // thread count. An HNSW graph built with one thread is reproducible, but with several
    // it depends on the order in which the threads insert points.
    int jobs = 0;
    // Seed of HNSW's level assignment and of the recall sample.
    std::uint64_t seed = 0;
    std::size_t recall_sample = default_recall_sample;
    // Names the origin of a row in error messages; empty gives "row N".
    RowLabel row_label;
};

// The k nearest reference rows of each of n rows.
struct KnnGraph {
    std::size_t n = 0;
    int k = 0;
    // Row-major [n, k]: reference row indices, distinct within a row.
    std::vector<std::int32_t> indices;
    // Row-major [n, k]: Euclidean (not squared) distances, finite and non-decreasing in a row.
    std::vector<float> distances;
    // The method that built the graph (never automatic).
    KnnMethod method = KnnMethod::exact;
    // Recall on a sample against the exact search, for HNSW and clustered graphs with
    // recall_sample > 0; negative when not measured.
    double recall = -1.0;

    std::span<const std::int32_t> row_indices(std::size_t row) const {
        return {indices.data() + row * static_cast<std::size_t>(k), static_cast<std::size_t>(k)};
    }
    std::span<const float> row_distances(std::size_t row) const {
        return {distances.data() + row * static_cast<std::size_t>(k), static_cast<std::size_t>(k)};
    }
};

// Throws Error when any of the n * d values is NaN or infinite, naming `what` (such as
// "UMAP input"), the row (through row_label when given), the column and the value.
void check_finite(std::span<const float> data, std::size_t n, std::size_t d,
                  const std::string& what, const RowLabel& row_label = {});

// A searchable set of reference rows: a copy of the data for the exact search, k-means lists
// (a copy in list order) or an HNSW graph (which stores its own copy). Cheap to copy:
// copies share the index.
class KnnIndex {
  public:
    // Builds the index over `reference` (n x d, finite). The method comes from
    // options.method, or from n and options.exact_max_rows when automatic. With copy_data
    // false an HNSW index may refer to `reference` instead of copying it, and `reference`
    // must then outlive the index.
    static KnnIndex build(std::span<const float> reference, std::size_t n, std::size_t d,
                          const KnnOptions& options = {}, bool copy_data = true);

    // The k nearest other reference rows of every reference row. A row never lists itself,
    // even when other rows are identical to it. Requires 1 <= k <= n - 1.
    KnnGraph self_graph(int k) const;

    // The k nearest reference rows of each query row (n_queries x d); no row is excluded.
    // Requires 1 <= k <= n.
    KnnGraph query(std::span<const float> queries, std::size_t n_queries, int k) const;

    std::size_t n() const;
    std::size_t d() const;
    KnnMethod method() const;

    struct Impl;

  private:
    explicit KnnIndex(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

// The k nearest other rows of every row of `data` (n x d): KnnIndex::build then
// self_graph. For approximate graphs with options.recall_sample > 0 the recall is measured,
// logged and stored in KnnGraph::recall.
KnnGraph build_knn_graph(std::span<const float> data, std::size_t n, std::size_t d, int k,
                         const KnnOptions& options = {});

// The k nearest reference rows of each query row; no row is excluded.
KnnGraph query_knn(std::span<const float> reference, std::size_t n_reference,
                   std::span<const float> queries, std::size_t n_queries, std::size_t d, int k,
                   const KnnOptions& options = {});

// Recall of a self kNN graph of `data` against the exact search on `sample` rows drawn
// with `seed` (all rows when sample >= n): the mean fraction of listed neighbours whose
// true distance is at most the exact k-th distance, so that ties among equidistant rows
// count as hits. Returns 1 for an empty graph.
double measure_recall(const KnnGraph& graph, std::span<const float> data, std::size_t n,
                      std::size_t d, std::size_t sample, std::uint64_t seed = 0, int jobs = 0);

// Throws Error (naming the row) unless every row of `graph` has k distinct indices in
// [0, n_reference), no index equal to the row itself when `self_excluded`, and finite
// non-negative non-decreasing distances. Used by tests and after loading a stored graph.
void validate_knn_graph(const KnnGraph& graph, std::size_t n_reference, bool self_excluded);

}  // namespace uadscope::neighbors
