#include "analysis/knn_detector.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis/lof.h"
#include "core/error.h"

namespace uadscope::analysis {

std::string_view to_string(DetectorKind kind) {
    return kind == DetectorKind::knn ? "knn" : "lof";
}

DetectorKind parse_detector_kind(std::string_view text) {
    if (text == "knn") {
        return DetectorKind::knn;
    }
    if (text == "lof") {
        return DetectorKind::lof;
    }
    throw Error(fmt::format("invalid detector '{}': use knn or lof", text));
}

std::string_view to_string(FileAggregate aggregate) {
    return aggregate == FileAggregate::mean ? "mean" : "max";
}

FileAggregate parse_file_aggregate(std::string_view text) {
    if (text == "mean") {
        return FileAggregate::mean;
    }
    if (text == "max") {
        return FileAggregate::max;
    }
    throw Error(fmt::format("invalid aggregate '{}': use mean or max", text));
}

// ReferenceSet

// A leave-one-file-out query through the whole index requests k plus the file's own vector
// count of neighbours, and the exact search re-ranks every one of them in all dimensions.
// With few files of many vectors each (a map's sample of two training files of 300 frames
// each), searching the other files' own indexes for k each is far cheaper. These bounds keep
// the loop over files and the second copy of the vectors small.
constexpr std::size_t file_indexes_max_files = 64;
constexpr std::size_t file_indexes_max_vectors = 50000;
// Candidates the exact search re-ranks beyond k, an estimate for choosing between the two
// ways. Both find the same neighbours up to float rounding of the distances.
constexpr std::size_t exact_rerank_extra = 10;

struct ReferenceSet::FileIndexes {
    std::vector<std::int32_t> files;              // file of each index
    std::vector<neighbors::KnnIndex> indexes;     // exact index of each file's vectors
    std::vector<std::vector<std::int32_t>> rows;  // reference rows of each index
};

ReferenceSet::ReferenceSet(neighbors::KnnIndex index, std::vector<std::int32_t> files)
    : index_(std::move(index)), files_(std::move(files)) {
    for (const std::int32_t file : files_) {
        ++vectors_per_file_[file];
    }
}

ReferenceSet ReferenceSet::build(std::span<const float> vectors, std::size_t n, std::size_t d,
                                 std::span<const std::int32_t> files,
                                 const neighbors::KnnOptions& options) {
    if (files.size() != n) {
        throw Error(fmt::format("kNN reference: {} file ids for {} vectors; give one per vector",
                                files.size(), n));
    }
    neighbors::KnnIndex index = neighbors::KnnIndex::build(vectors, n, d, options);
    ReferenceSet reference(std::move(index), std::vector<std::int32_t>(files.begin(), files.end()));

    const std::size_t file_count = reference.vectors_per_file_.size();
    if (reference.index_.method() == neighbors::KnnMethod::exact && file_count >= 2 &&
        file_count <= file_indexes_max_files && n <= file_indexes_max_vectors) {
        auto file_indexes = std::make_shared<FileIndexes>();
        neighbors::KnnOptions exact = options;
        exact.method = neighbors::KnnMethod::exact;
        for (const auto& [file, count] : reference.vectors_per_file_) {
            std::vector<std::int32_t> rows;
            std::vector<float> part;
            rows.reserve(count);
            part.reserve(count * d);
            for (std::size_t i = 0; i < n; ++i) {
                if (files[i] == file) {
                    rows.push_back(static_cast<std::int32_t>(i));
                    part.insert(part.end(), vectors.begin() + static_cast<std::ptrdiff_t>(i * d),
                                vectors.begin() + static_cast<std::ptrdiff_t>((i + 1) * d));
                }
            }
            file_indexes->files.push_back(file);
            file_indexes->indexes.push_back(neighbors::KnnIndex::build(part, count, d, exact));
            file_indexes->rows.push_back(std::move(rows));
        }
        reference.file_indexes_ = std::move(file_indexes);
    }
    return reference;
}

void ReferenceSet::query_other_files(std::span<const float> batch, std::size_t rows, int k,
                                     std::int32_t file, std::span<std::int32_t> indices,
                                     std::span<float> distances) const {
    std::vector<std::vector<std::pair<float, std::int32_t>>> candidates(rows);
    for (std::size_t g = 0; g < file_indexes_->files.size(); ++g) {
        if (file_indexes_->files[g] == file) {
            continue;
        }
        const auto& other_rows = file_indexes_->rows[g];
        const int k_other = static_cast<int>(std::min<std::size_t>(k, other_rows.size()));
        const neighbors::KnnGraph graph = file_indexes_->indexes[g].query(batch, rows, k_other);
        for (std::size_t r = 0; r < rows; ++r) {
            const auto row_indices = graph.row_indices(r);
            const auto row_distances = graph.row_distances(r);
            for (int j = 0; j < k_other; ++j) {
                candidates[r].emplace_back(row_distances[j],
                                           other_rows[static_cast<std::size_t>(row_indices[j])]);
            }
        }
    }
    const auto k_size = static_cast<std::size_t>(k);
    for (std::size_t r = 0; r < rows; ++r) {
        auto& row = candidates[r];
        UADSCOPE_ASSERT(row.size() >= k_size);
        // Ties go to the lower reference row, as in the exact search.
        std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(k_size),
                          row.end());
        for (std::size_t j = 0; j < k_size; ++j) {
            indices[r * k_size + j] = row[j].second;
            distances[r * k_size + j] = row[j].first;
        }
    }
}

std::size_t ReferenceSet::vectors_outside(std::int32_t file) const {
    const auto found = vectors_per_file_.find(file);
    return files_.size() - (found == vectors_per_file_.end() ? 0 : found->second);
}

neighbors::KnnGraph ReferenceSet::self_graph(int k) const {
    return index_.self_graph(k);
}

neighbors::KnnGraph ReferenceSet::query(std::span<const float> queries, std::size_t n_queries,
                                        int k, std::span<const std::int32_t> query_files) const {
    if (k < 1) {
        throw Error(fmt::format("kNN query: k = {} neighbours; use k >= 1", k));
    }
    if (query_files.empty()) {
        return index_.query(queries, n_queries, k);
    }
    if (query_files.size() != n_queries) {
        throw Error(fmt::format("kNN query: {} file ids for {} query vectors; give one per vector",
                                query_files.size(), n_queries));
    }
    const std::size_t d = index_.d();
    if (queries.size() != n_queries * d) {
        throw Error(fmt::format("kNN query: {} values do not form {} rows of {} columns",
                                queries.size(), n_queries, d));
    }

    neighbors::KnnGraph result;
    result.n = n_queries;
    result.k = k;
    result.indices.resize(n_queries * static_cast<std::size_t>(k));
    result.distances.resize(n_queries * static_cast<std::size_t>(k));

    // Queries of files outside the reference need no exclusion and go in one batch. The
    // queries of each other file request as many extra neighbours as the file has reference
    // vectors, which leaves k neighbours of other files after its own are dropped, or search
    // the other files' own indexes when that is cheaper (see file_indexes_max_files).
    std::map<std::int32_t, std::vector<std::size_t>> rows_of_file;
    std::vector<std::size_t> unrestricted;
    for (std::size_t i = 0; i < n_queries; ++i) {
        if (vectors_per_file_.contains(query_files[i])) {
            rows_of_file[query_files[i]].push_back(i);
        } else {
            unrestricted.push_back(i);
        }
    }
    auto run = [&](const std::vector<std::size_t>& rows, std::int32_t excluded_file,
                   std::size_t own_vectors) {
        if (rows.empty()) {
            return;
        }
        const std::size_t available = files_.size() - own_vectors;
        if (available < static_cast<std::size_t>(k)) {
            throw Error(fmt::format(
                "kNN query: {} reference vectors remain outside file {}, fewer than k = {}; "
                "use a smaller k or more training files",
                available, excluded_file, k));
        }
        std::vector<float> batch(rows.size() * d);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            std::copy_n(queries.begin() + static_cast<std::ptrdiff_t>(rows[r] * d), d,
                        batch.begin() + static_cast<std::ptrdiff_t>(r * d));
        }
        const std::size_t other_files = vectors_per_file_.size() - (own_vectors > 0 ? 1 : 0);
        const auto k_size = static_cast<std::size_t>(k);
        if (file_indexes_ && own_vectors > 0 &&
            other_files * (k_size + exact_rerank_extra) <
                k_size + own_vectors + exact_rerank_extra) {
            std::vector<std::int32_t> indices(rows.size() * k_size);
            std::vector<float> distances(rows.size() * k_size);
            query_other_files(batch, rows.size(), k, excluded_file, indices, distances);
            for (std::size_t r = 0; r < rows.size(); ++r) {
                std::copy_n(indices.begin() + static_cast<std::ptrdiff_t>(r * k_size), k_size,
                            result.indices.begin() + static_cast<std::ptrdiff_t>(rows[r] * k_size));
                std::copy_n(
                    distances.begin() + static_cast<std::ptrdiff_t>(r * k_size), k_size,
                    result.distances.begin() + static_cast<std::ptrdiff_t>(rows[r] * k_size));
            }
            result.method = neighbors::KnnMethod::exact;
            return;
        }
        const int searched =
            static_cast<int>(std::min(files_.size(), static_cast<std::size_t>(k) + own_vectors));
        const neighbors::KnnGraph graph = index_.query(batch, rows.size(), searched);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const auto indices = graph.row_indices(r);
            const auto distances = graph.row_distances(r);
            std::size_t kept = 0;
            const std::size_t out = rows[r] * static_cast<std::size_t>(k);
            for (int j = 0; j < searched && kept < static_cast<std::size_t>(k); ++j) {
                if (own_vectors > 0 &&
                    files_[static_cast<std::size_t>(indices[j])] == excluded_file) {
                    continue;
                }
                result.indices[out + kept] = indices[j];
                result.distances[out + kept] = distances[j];
                ++kept;
            }
            UADSCOPE_ASSERT(kept == static_cast<std::size_t>(k));
        }
        result.method = graph.method;
    };
    run(unrestricted, -1, 0);
    for (const auto& [file, rows] : rows_of_file) {
        run(rows, file, vectors_per_file_.at(file));
    }
    return result;
}

std::vector<double> mean_distances(const neighbors::KnnGraph& graph) {
    std::vector<double> means(graph.n);
    for (std::size_t i = 0; i < graph.n; ++i) {
        double sum = 0.0;
        for (const float distance : graph.row_distances(i)) {
            sum += distance;
        }
        means[i] = sum / graph.k;
    }
    return means;
}

double DuplicateSummary::fraction() const {
    return vectors == 0 ? 0.0 : static_cast<double>(zero_k_distance) / static_cast<double>(vectors);
}

// NeighborDetector

NeighborDetector::NeighborDetector(ReferenceSet reference, DetectorKind kind, int k)
    : reference_(std::move(reference)), kind_(kind), k_(k) {}

NeighborDetector NeighborDetector::fit(ReferenceSet reference, DetectorKind kind, int k) {
    if (k < 1) {
        throw Error(fmt::format("detector: k = {} neighbours; use k >= 1", k));
    }
    if (reference.n() < 2) {
        throw Error(fmt::format("detector: {} training vector(s); a {} detector needs at least 2",
                                reference.n(), to_string(kind)));
    }
    const int k_used = static_cast<int>(std::min<std::size_t>(k, reference.n() - 1));
    NeighborDetector detector(std::move(reference), kind, k_used);
    const neighbors::KnnGraph self = detector.reference_.self_graph(k_used);
    detector.k_distance_ = k_distances(self);
    detector.duplicates_.vectors = self.n;
    detector.duplicates_.zero_k_distance = static_cast<std::size_t>(
        std::count(detector.k_distance_.begin(), detector.k_distance_.end(), 0.0));
    if (kind == DetectorKind::knn) {
        detector.in_sample_ = mean_distances(self);
    } else {
        detector.lrd_ = local_reachability_density(self, detector.k_distance_);
        detector.in_sample_ = local_outlier_factor(self, detector.lrd_, detector.lrd_);
    }
    return detector;
}

std::vector<double> NeighborDetector::score(std::span<const float> queries, std::size_t n_queries,
                                            std::span<const std::int32_t> query_files) const {
    const neighbors::KnnGraph graph = reference_.query(queries, n_queries, k_, query_files);
    if (kind_ == DetectorKind::knn) {
        return mean_distances(graph);
    }
    const std::vector<double> query_lrd = local_reachability_density(graph, k_distance_);
    return local_outlier_factor(graph, lrd_, query_lrd);
}

FileScores aggregate_file_scores(std::span<const double> vector_scores,
                                 std::span<const std::int32_t> vector_files,
                                 FileAggregate aggregate) {
    if (vector_scores.size() != vector_files.size()) {
        throw Error(
            fmt::format("file scores: {} vector scores for {} file ids; give one per vector",
                        vector_scores.size(), vector_files.size()));
    }
    struct Accumulator {
        double value = 0.0;
        std::int64_t count = 0;
    };
    std::map<std::int32_t, Accumulator> per_file;
    for (std::size_t i = 0; i < vector_scores.size(); ++i) {
        Accumulator& accumulator = per_file[vector_files[i]];
        if (aggregate == FileAggregate::mean) {
            accumulator.value += vector_scores[i];
        } else if (accumulator.count == 0 || vector_scores[i] > accumulator.value) {
            accumulator.value = vector_scores[i];
        }
        ++accumulator.count;
    }
    FileScores result;
    for (const auto& [file, accumulator] : per_file) {
        result.files.push_back(file);
        result.vectors.push_back(accumulator.count);
        result.scores.push_back(aggregate == FileAggregate::mean
                                    ? accumulator.value / static_cast<double>(accumulator.count)
                                    : accumulator.value);
    }
    return result;
}

double linear_quantile(std::span<const double> values, double q) {
    UADSCOPE_ASSERT(!values.empty());
    UADSCOPE_ASSERT(q >= 0.0 && q <= 1.0);
    std::vector<double> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    const double position = q * static_cast<double>(sorted.size() - 1);
    const auto lower = static_cast<std::size_t>(std::floor(position));
    if (lower + 1 >= sorted.size()) {
        return sorted.back();
    }
    const double fraction = position - static_cast<double>(lower);
    return sorted[lower] + fraction * (sorted[lower + 1] - sorted[lower]);
}

}  // namespace uadscope::analysis
