#pragma once

// Nearest-neighbour anomaly detectors fitted on training vectors: the kNN distance (the mean
// Euclidean distance to the k nearest training vectors) and LOF (lof.h), with per-file
// aggregation of their vector scores.
//
// Layout: reference (training) and query vectors are row-major float32 [n, d], as in
// neighbors/knn_graph.h, and every vector carries the id of the file it comes from.
// Consecutive frames of one file are near-duplicates (stacked vectors even share frames), so
// a training vector's in-sample neighbours are mostly its own file's other frames. Queries
// can therefore exclude the vectors of their own file (leave-one-file-out).

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "neighbors/knn_graph.h"

namespace uadscope::analysis {

// Neighbours k of the detectors and of DSUP when the caller gives none.
inline constexpr int default_detector_k = 5;

enum class DetectorKind { knn, lof };

// "knn" or "lof".
std::string_view to_string(DetectorKind kind);
// Parses "knn" or "lof"; throws Error naming the value otherwise.
DetectorKind parse_detector_kind(std::string_view text);

// How vector scores become one score per file.
enum class FileAggregate { mean, max };

// "mean" or "max".
std::string_view to_string(FileAggregate aggregate);
// Parses "mean" or "max"; throws Error naming the value otherwise.
FileAggregate parse_file_aggregate(std::string_view text);

// Training vectors in a kNN index, with the file of each vector. Cheap to copy: copies share
// the index.
class ReferenceSet {
  public:
    // Builds the index over `vectors` [n, d] (finite, n >= 1) with `files` [n]. Throws Error
    // for mismatched sizes, no vectors or non-finite values.
    static ReferenceSet build(std::span<const float> vectors, std::size_t n, std::size_t d,
                              std::span<const std::int32_t> files,
                              const neighbors::KnnOptions& options = {});

    // The k nearest reference vectors of each query row [n_queries, d], nearest first. With
    // `query_files` [n_queries], the reference vectors of a query's own file are skipped.
    // Throws Error when k < 1 or fewer than k vectors remain for some query.
    neighbors::KnnGraph query(std::span<const float> queries, std::size_t n_queries, int k,
                              std::span<const std::int32_t> query_files = {}) const;

    // The k nearest other reference vectors of each reference vector (itself excluded, its
    // file's other vectors included). Requires 1 <= k <= n - 1.
    neighbors::KnnGraph self_graph(int k) const;

    std::size_t n() const { return files_.size(); }
    std::size_t d() const { return index_.d(); }
    std::span<const std::int32_t> files() const { return files_; }
    // Number of distinct files.
    std::size_t file_count() const { return vectors_per_file_.size(); }
    // Reference vectors that do not belong to `file`.
    std::size_t vectors_outside(std::int32_t file) const;

  private:
    struct FileIndexes;

    ReferenceSet(neighbors::KnnIndex index, std::vector<std::int32_t> files);
    // The k nearest reference vectors of `batch` [rows, d], all of file `file`, among the
    // other files: each other file's index is searched and the results merged.
    void query_other_files(std::span<const float> batch, std::size_t rows, int k, std::int32_t file,
                           std::span<std::int32_t> indices, std::span<float> distances) const;

    neighbors::KnnIndex index_;
    std::vector<std::int32_t> files_;
    std::map<std::int32_t, std::size_t> vectors_per_file_;
    // Exact indexes of each file's vectors, for exact references of few files (shared by
    // copies); null otherwise.
    std::shared_ptr<const FileIndexes> file_indexes_;
};

// Mean of each row's k distances, [graph.n].
std::vector<double> mean_distances(const neighbors::KnnGraph& graph);

// Reference vectors whose k-distance (distance to the k-th nearest other vector) is 0,
// because at least k other vectors are identical to them.
struct DuplicateSummary {
    std::size_t vectors = 0;
    std::size_t zero_k_distance = 0;

    // zero_k_distance / vectors; 0 without vectors.
    double fraction() const;
};

// A kNN-distance or LOF detector fitted on a reference set. Higher scores are more
// anomalous.
class NeighborDetector {
  public:
    // Fits the detector with k neighbours, or n - 1 when the reference has fewer than k + 1
    // vectors. Throws Error when k < 1 or the reference has fewer than 2 vectors.
    static NeighborDetector fit(ReferenceSet reference, DetectorKind kind, int k);

    // Scores each query row [n_queries, d]. With `query_files`, the reference vectors of a
    // query's own file are skipped (leave-one-file-out scoring of training vectors); the LOF
    // of the neighbours is still the fitted one. Throws Error when fewer than k() vectors
    // remain for some query.
    std::vector<double> score(std::span<const float> queries, std::size_t n_queries,
                              std::span<const std::int32_t> query_files = {}) const;

    // Scores of the reference vectors with only the vector itself excluded: the mean
    // self-graph distance, or the LOF of the fit (scikit-learn's -negative_outlier_factor_).
    const std::vector<double>& in_sample_scores() const { return in_sample_; }

    DetectorKind kind() const { return kind_; }
    // The k in use, which is below the requested k for tiny reference sets.
    int k() const { return k_; }
    const ReferenceSet& reference() const { return reference_; }
    const DuplicateSummary& duplicates() const { return duplicates_; }

  private:
    NeighborDetector(ReferenceSet reference, DetectorKind kind, int k);

    ReferenceSet reference_;
    DetectorKind kind_;
    int k_;
    std::vector<double> k_distance_;  // [n] distance to the k-th nearest other vector
    std::vector<double> lrd_;         // [n] local reachability density; LOF only
    std::vector<double> in_sample_;   // [n]
    DuplicateSummary duplicates_;
};

// Scores of files, in increasing file id.
struct FileScores {
    std::vector<std::int32_t> files;
    std::vector<double> scores;
    std::vector<std::int64_t> vectors;  // vectors behind each score
};

// Aggregates vector scores [n] of the files `vector_files` [n] into one score per file: the
// mean (summed in vector order) or the maximum. Throws Error for mismatched sizes.
FileScores aggregate_file_scores(std::span<const double> vector_scores,
                                 std::span<const std::int32_t> vector_files,
                                 FileAggregate aggregate);

// The q-quantile of `values` with linear interpolation between order statistics, as
// numpy.quantile's default ("linear", type 7). Requires a non-empty span without NaN and q in
// [0, 1] (asserted).
double linear_quantile(std::span<const double> values, double q);

}  // namespace uadscope::analysis
