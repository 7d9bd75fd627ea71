#pragma once

// Discriminative support (DSUP): whether the training data covers the normal test data and
// stays apart from the anomalous test data, measured with the kNN distance to the training
// vectors (the mean distance to the k nearest, k = 5 by default, as the kNN detector).
//
// - AUC: the ROC AUC of that distance as a score separating anomalous (positive) from
//   normal test vectors. Near 1 when anomalies lie far from the training data.
// - coverage: the fraction of normal test vectors whose distance is at most the
//   95th percentile of the training vectors' own leave-one-file-out distances (each
//   training vector's distance to the training vectors of the other files). Near 0.95 when
//   the normal test data follows the training distribution, lower under domain shift.
//
// The frames of a training vector's own file are near-duplicates of it, so leave-one-file-out
// keeps them out of its reference distances. A test vector has no file among the training data.
// Layout: vectors row-major float32 [n, d]; labels [n] 0 normal, 1 anomaly; files [n].

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "analysis/knn_detector.h"

namespace uadscope::analysis {

// Quantile of the training distances below which a normal test vector counts as covered.
inline constexpr double default_coverage_quantile = 0.95;

struct SupportOptions {
    int k = default_detector_k;                            // >= 1
    double coverage_quantile = default_coverage_quantile;  // in (0, 1]
    neighbors::KnnOptions knn;

    // Throws Error naming the first invalid value.
    void validate() const;
};

struct SupportResult {
    std::optional<double> auc;
    std::optional<double> coverage;
    // The distance quantile that bounds coverage; undefined with fewer than 2 training files.
    std::optional<double> threshold;
    // Reason why AUC or coverage is undefined; empty when both are defined.
    std::string undefined_reason;
    std::int64_t train_vectors = 0;
    std::int64_t train_files = 0;
    std::int64_t normal_vectors = 0;
    std::int64_t anomaly_vectors = 0;
    std::int64_t normal_files = 0;
    std::int64_t anomaly_files = 0;
    int k = 0;  // neighbours used; below the requested k for tiny training sets
};

// Training vectors indexed for DSUP, with their leave-one-file-out distances computed once.
class SupportReference {
  public:
    // Indexes `vectors` [n, d] with `files` [n] and computes the coverage threshold. Throws
    // Error for mismatched sizes, non-finite values, invalid options or no vectors.
    static SupportReference fit(std::span<const float> vectors, std::size_t n, std::size_t d,
                                std::span<const std::int32_t> files,
                                const SupportOptions& options = {});

    // DSUP of the test vectors [n, d] with `labels` and `files` [n]. Throws Error for
    // mismatched sizes or invalid labels.
    SupportResult measure(std::span<const float> vectors, std::size_t n,
                          std::span<const std::uint8_t> labels,
                          std::span<const std::int32_t> files) const;

    // Mean distance of each query row [n, d] to its k nearest training vectors.
    std::vector<double> distances(std::span<const float> vectors, std::size_t n) const;

    const std::optional<double>& threshold() const { return threshold_; }
    int k() const { return k_; }

  private:
    SupportReference(ReferenceSet reference, int k) : reference_(std::move(reference)), k_(k) {}

    ReferenceSet reference_;
    int k_;
    std::optional<double> threshold_;
    std::string threshold_reason_;
};

}  // namespace uadscope::analysis
