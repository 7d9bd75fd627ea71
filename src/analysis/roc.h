#pragma once

// ROC curve, AUC and McClish-standardised partial AUC, computed exactly as scikit-learn
// 1.2 computes roc_curve and roc_auc_score (with and without max_fpr), down to the
// floating-point order, so that the DCASE evaluators' numbers are reproduced bit for bit.
//
// Conventions for every function here: `scores` and `labels` have one entry per clip.
// Label 0 is normal and 1 is anomaly, and a higher score means more anomalous. Tied scores
// form one diagonal ROC segment whatever their input order.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace uadscope::analysis {

// False positive rate at which DCASE Task 2 truncates the partial AUC.
inline constexpr double dcase_max_fpr = 0.1;

struct RocCurve {
    // Vertices of the ROC polyline from (0, 0) to (1, 1). Vertices in the middle of a
    // straight run are dropped, as scikit-learn's drop_intermediate=True does; the area is
    // the same either way.
    std::vector<double> fpr;
    std::vector<double> tpr;
    // Score threshold of each vertex (a clip is flagged when its score >= threshold);
    // thresholds[0] is +infinity for the (0, 0) vertex.
    std::vector<double> thresholds;
};

// Clips that share one score value. The ROC of a set of clips depends only on these runs.
struct ScoreRun {
    double score = 0.0;
    std::int64_t anomalies = 0;
    std::int64_t normals = 0;
};

struct RocAreas {
    double auc = 0.0;
    // McClish-standardised partial AUC over FPR in [0, max_fpr].
    double pauc = 0.0;
};

// Returns true when `labels` contains both classes, the condition for every ROC metric.
// Throws Error when the spans differ in length, a label is not 0 or 1, or a score is NaN
// or infinite.
bool has_both_classes(std::span<const double> scores, std::span<const std::uint8_t> labels);

// Groups clips into runs of equal score, in decreasing score order. Input checks as for
// has_both_classes.
std::vector<ScoreRun> score_runs(std::span<const double> scores,
                                 std::span<const std::uint8_t> labels);

// Computes AUC and pAUC from runs in decreasing score order. Runs with no clips are
// skipped, so a caller may zero a run's counts instead of erasing it. Both classes must be
// present (asserted) and max_fpr must lie in (0, 1].
RocAreas roc_areas(std::span<const ScoreRun> runs, double max_fpr = dcase_max_fpr);

// Returns the ROC curve; throws Error when only one class is present.
RocCurve roc_curve(std::span<const double> scores, std::span<const std::uint8_t> labels);

// Returns the area under the ROC curve (the Mann-Whitney U statistic / (P N), a tie
// counting one half), or nothing when only one class is present.
std::optional<double> roc_auc(std::span<const double> scores, std::span<const std::uint8_t> labels);

// Returns scikit-learn's roc_auc_score(labels, scores, max_fpr=max_fpr): the area up to
// FPR max_fpr, with the ROC vertex at max_fpr interpolated linearly, standardised as
// 0.5 * (1 + (A - max_fpr^2 / 2) / (max_fpr - max_fpr^2 / 2)) (McClish 1989), so random
// scores give 0.5 and a perfect ranking 1. Returns nothing when only one class is present;
// throws Error when max_fpr is outside (0, 1]. max_fpr 1 gives the plain AUC.
std::optional<double> partial_roc_auc(std::span<const double> scores,
                                      std::span<const std::uint8_t> labels,
                                      double max_fpr = dcase_max_fpr);

}  // namespace uadscope::analysis
