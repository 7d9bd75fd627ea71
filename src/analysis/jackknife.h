#pragma once

// Leave-one-out jackknife of AUC and pAUC over a pool of clips, as the DCASE 2023 to 2025
// evaluators compute their "official score ci95".

#include <cstdint>
#include <optional>
#include <span>

#include "analysis/roc.h"

namespace uadscope::analysis {

struct JackknifeEstimate {
    // The metric on all clips (theta).
    double value = 0.0;
    // Mean of the pseudo-values n * theta - (n - 1) * theta_i.
    double estimate = 0.0;
    // |t_{n-1}^{-1}(0.025)| * sigma with sigma = sqrt(sum_i (theta_i - mean theta_i)^2 /
    // (n (n - 1))). NOTE: the evaluators take sigma from the leave-one-out values instead of
    // the pseudo-values, so this is (n - 1) times smaller than the textbook jackknife
    // interval. It is reproduced as they compute it.
    double ci95 = 0.0;
};

struct RocJackknife {
    std::size_t clips = 0;
    JackknifeEstimate auc;
    JackknifeEstimate pauc;
};

// Runs the jackknife of AUC and pAUC (max_fpr) over all clips, removing one clip at a time
// in input order (the order sets the floating-point summation, so it matters only in the
// last bits). Uses `jobs` threads (0: all cores). Returns nothing when some leave-one-out
// set would lack a class (fewer than two normal or two anomalous clips). Input checks as
// for roc_auc.
std::optional<RocJackknife> jackknife_roc(std::span<const double> scores,
                                          std::span<const std::uint8_t> labels,
                                          double max_fpr = dcase_max_fpr, int jobs = 0);

}  // namespace uadscope::analysis
