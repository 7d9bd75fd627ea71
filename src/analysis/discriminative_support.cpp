#include "analysis/discriminative_support.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "analysis/roc.h"
#include "core/error.h"

namespace uadscope::analysis {

void SupportOptions::validate() const {
    if (k < 1) {
        throw Error(
            fmt::format("invalid DSUP k {}: use k >= 1 (default {})", k, default_detector_k));
    }
    if (!(coverage_quantile > 0.0 && coverage_quantile <= 1.0)) {
        throw Error(fmt::format("invalid coverage quantile {}: use a value in (0, 1] (default {})",
                                coverage_quantile, default_coverage_quantile));
    }
}

SupportReference SupportReference::fit(std::span<const float> vectors, std::size_t n, std::size_t d,
                                       std::span<const std::int32_t> files,
                                       const SupportOptions& options) {
    options.validate();
    if (n == 0) {
        throw Error("DSUP: no training vectors; DSUP needs training data");
    }
    ReferenceSet reference = ReferenceSet::build(vectors, n, d, files, options.knn);
    const int k = static_cast<int>(std::min<std::size_t>(options.k, n));
    SupportReference support(std::move(reference), k);

    if (support.reference_.file_count() < 2) {
        support.threshold_reason_ = fmt::format(
            "coverage needs training vectors of at least 2 files for leave-one-file-out "
            "distances, found {}",
            support.reference_.file_count());
        return support;
    }
    // Files with fewer than k vectors outside them (only in tiny training sets) have no
    // leave-one-file-out distance and are left out of the threshold.
    std::vector<float> kept_vectors;
    std::vector<std::int32_t> kept_files;
    for (std::size_t i = 0; i < n; ++i) {
        if (support.reference_.vectors_outside(files[i]) >= static_cast<std::size_t>(k)) {
            kept_vectors.insert(kept_vectors.end(),
                                vectors.begin() + static_cast<std::ptrdiff_t>(i * d),
                                vectors.begin() + static_cast<std::ptrdiff_t>((i + 1) * d));
            kept_files.push_back(files[i]);
        }
    }
    if (kept_files.empty()) {
        support.threshold_reason_ = fmt::format(
            "no training file has k = {} training vectors of other files for its "
            "leave-one-file-out distances",
            k);
        return support;
    }
    const std::vector<double> own =
        mean_distances(support.reference_.query(kept_vectors, kept_files.size(), k, kept_files));
    support.threshold_ = linear_quantile(own, options.coverage_quantile);
    return support;
}

std::vector<double> SupportReference::distances(std::span<const float> vectors,
                                                std::size_t n) const {
    if (n == 0) {
        return {};
    }
    return mean_distances(reference_.query(vectors, n, k_));
}

SupportResult SupportReference::measure(std::span<const float> vectors, std::size_t n,
                                        std::span<const std::uint8_t> labels,
                                        std::span<const std::int32_t> files) const {
    if (labels.size() != n || files.size() != n) {
        throw Error(fmt::format("DSUP: {} labels and {} file ids for {} test vectors",
                                labels.size(), files.size(), n));
    }
    SupportResult result;
    result.k = k_;
    result.train_vectors = static_cast<std::int64_t>(reference_.n());
    result.train_files = static_cast<std::int64_t>(reference_.file_count());
    result.threshold = threshold_;
    std::set<std::int32_t> file_sets[2];
    for (std::size_t i = 0; i < n; ++i) {
        if (labels[i] > 1) {
            throw Error(fmt::format(
                "DSUP: label {} of test vector {} is invalid; use 0 (normal) or 1 (anomaly)",
                labels[i], i));
        }
        ++(labels[i] == 0 ? result.normal_vectors : result.anomaly_vectors);
        file_sets[labels[i]].insert(files[i]);
    }
    result.normal_files = static_cast<std::int64_t>(file_sets[0].size());
    result.anomaly_files = static_cast<std::int64_t>(file_sets[1].size());

    const std::vector<double> distance = distances(vectors, n);
    std::vector<std::string> reasons;
    if (result.normal_vectors > 0 && result.anomaly_vectors > 0) {
        result.auc = roc_auc(distance, labels);
    } else {
        reasons.push_back(
            fmt::format("AUC needs normal and anomalous test vectors, found {} and {}",
                        result.normal_vectors, result.anomaly_vectors));
    }
    if (!threshold_) {
        reasons.push_back(threshold_reason_);
    } else if (result.normal_vectors == 0) {
        reasons.push_back("coverage needs normal test vectors, found none");
    } else {
        std::int64_t covered = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (labels[i] == 0 && distance[i] <= *threshold_) {
                ++covered;
            }
        }
        result.coverage = static_cast<double>(covered) / static_cast<double>(result.normal_vectors);
    }
    for (const auto& reason : reasons) {
        result.undefined_reason += (result.undefined_reason.empty() ? "" : "; ") + reason;
    }
    return result;
}

}  // namespace uadscope::analysis
