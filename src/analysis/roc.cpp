#include "analysis/roc.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "analysis/numpy_sum.h"
#include "core/error.h"

namespace uadscope::analysis {
namespace {

void check_inputs(std::span<const double> scores, std::span<const std::uint8_t> labels) {
    if (scores.size() != labels.size()) {
        throw Error(fmt::format("ROC: {} scores but {} labels; pass one label per score",
                                scores.size(), labels.size()));
    }
    for (std::size_t i = 0; i < scores.size(); ++i) {
        if (labels[i] > 1) {
            throw Error(
                fmt::format("ROC: label {} of clip {} is invalid; use 0 (normal) or 1 "
                            "(anomaly)",
                            static_cast<int>(labels[i]), i));
        }
        if (!std::isfinite(scores[i])) {
            throw Error(
                fmt::format("ROC: score {} of clip {} is not finite; replace NaN and "
                            "infinite scores before scoring",
                            scores[i], i));
        }
    }
}

void check_max_fpr(double max_fpr) {
    if (!(max_fpr > 0.0 && max_fpr <= 1.0)) {
        throw Error(fmt::format("partial AUC: max_fpr {} is outside (0, 1]", max_fpr));
    }
}

// One ROC vertex as cumulative counts of clips at or above a run's score.
struct Vertex {
    std::int64_t false_positives = 0;
    std::int64_t true_positives = 0;
    std::size_t run = 0;
};

// Vertices after scikit-learn's drop_intermediate thinning, before the (0, 0) origin is
// prepended: the first and last are kept, an interior vertex only where the second
// difference of either count is non-zero (where the polyline bends).
std::vector<Vertex> thinned_vertices(std::span<const ScoreRun> runs) {
    std::vector<Vertex> all;
    all.reserve(runs.size());
    Vertex cumulative;
    for (std::size_t r = 0; r < runs.size(); ++r) {
        if (runs[r].anomalies == 0 && runs[r].normals == 0) {
            continue;
        }
        cumulative.false_positives += runs[r].normals;
        cumulative.true_positives += runs[r].anomalies;
        cumulative.run = r;
        all.push_back(cumulative);
    }
    if (all.size() <= 2) {
        return all;
    }
    std::vector<Vertex> kept;
    kept.reserve(all.size());
    kept.push_back(all.front());
    for (std::size_t k = 1; k + 1 < all.size(); ++k) {
        const std::int64_t fp_bend =
            all[k + 1].false_positives - 2 * all[k].false_positives + all[k - 1].false_positives;
        const std::int64_t tp_bend =
            all[k + 1].true_positives - 2 * all[k].true_positives + all[k - 1].true_positives;
        if (fp_bend != 0 || tp_bend != 0) {
            kept.push_back(all[k]);
        }
    }
    kept.push_back(all.back());
    return kept;
}

// np.trapz(y, x): terms (x[i+1] - x[i]) * (y[i+1] + y[i]) / 2.0 summed by numpy_sum.
double trapezoid_area(std::span<const double> x, std::span<const double> y) {
    std::vector<double> terms(x.size() - 1);
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
        terms[i] = (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2.0;
    }
    return numpy_sum(terms);
}

// np.interp(x, [x0, x1], [y0, y1]) for x0 <= x < x1, in numpy's operation order.
double interpolate(double x, double x0, double x1, double y0, double y1) {
    if (x0 == x) {
        return y0;
    }
    const double slope = (y1 - y0) / (x1 - x0);
    return slope * (x - x0) + y0;
}

}  // namespace

bool has_both_classes(std::span<const double> scores, std::span<const std::uint8_t> labels) {
    check_inputs(scores, labels);
    bool normal = false;
    bool anomaly = false;
    for (const std::uint8_t label : labels) {
        (label == 1 ? anomaly : normal) = true;
    }
    return normal && anomaly;
}

std::vector<ScoreRun> score_runs(std::span<const double> scores,
                                 std::span<const std::uint8_t> labels) {
    check_inputs(scores, labels);
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Counts per run do not depend on the order inside a tie, so an unstable sort is fine.
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    std::vector<ScoreRun> runs;
    for (const std::size_t i : order) {
        // 0.0 and -0.0 compare equal and share a run, as in numpy's np.diff test.
        if (runs.empty() || runs.back().score != scores[i]) {
            runs.push_back({scores[i], 0, 0});
        }
        (labels[i] == 1 ? runs.back().anomalies : runs.back().normals) += 1;
    }
    return runs;
}

RocAreas roc_areas(std::span<const ScoreRun> runs, double max_fpr) {
    check_max_fpr(max_fpr);
    const std::vector<Vertex> vertices = thinned_vertices(runs);
    UADSCOPE_ASSERT(!vertices.empty());
    const auto normals = static_cast<double>(vertices.back().false_positives);
    const auto anomalies = static_cast<double>(vertices.back().true_positives);
    UADSCOPE_ASSERT(normals > 0 && anomalies > 0);

    std::vector<double> fpr(vertices.size() + 1, 0.0);
    std::vector<double> tpr(vertices.size() + 1, 0.0);
    for (std::size_t k = 0; k < vertices.size(); ++k) {
        fpr[k + 1] = static_cast<double>(vertices[k].false_positives) / normals;
        tpr[k + 1] = static_cast<double>(vertices[k].true_positives) / anomalies;
    }

    RocAreas areas;
    areas.auc = trapezoid_area(fpr, tpr);
    if (max_fpr == 1.0) {
        areas.pauc = areas.auc;
        return areas;
    }

    // Truncate after the last vertex with FPR <= max_fpr (np.searchsorted side="right") and
    // close the polyline with the interpolated vertex at max_fpr. fpr ends at 1 > max_fpr,
    // so `stop` is a valid index.
    const auto stop =
        static_cast<std::size_t>(std::upper_bound(fpr.begin(), fpr.end(), max_fpr) - fpr.begin());
    UADSCOPE_ASSERT(stop >= 1 && stop < fpr.size());
    const double tpr_at_max =
        interpolate(max_fpr, fpr[stop - 1], fpr[stop], tpr[stop - 1], tpr[stop]);
    fpr.resize(stop);
    tpr.resize(stop);
    fpr.push_back(max_fpr);
    tpr.push_back(tpr_at_max);
    const double partial_area = trapezoid_area(fpr, tpr);

    const double min_area = 0.5 * (max_fpr * max_fpr);
    const double max_area = max_fpr;
    areas.pauc = 0.5 * (1.0 + (partial_area - min_area) / (max_area - min_area));
    return areas;
}

RocCurve roc_curve(std::span<const double> scores, std::span<const std::uint8_t> labels) {
    if (!has_both_classes(scores, labels)) {
        throw Error(
            "ROC curve: only one class is present, but it needs normal and anomalous clips");
    }
    const std::vector<ScoreRun> runs = score_runs(scores, labels);
    const std::vector<Vertex> vertices = thinned_vertices(runs);
    const auto normals = static_cast<double>(vertices.back().false_positives);
    const auto anomalies = static_cast<double>(vertices.back().true_positives);

    RocCurve curve;
    curve.fpr.push_back(0.0);
    curve.tpr.push_back(0.0);
    curve.thresholds.push_back(std::numeric_limits<double>::infinity());
    for (const Vertex& vertex : vertices) {
        curve.fpr.push_back(static_cast<double>(vertex.false_positives) / normals);
        curve.tpr.push_back(static_cast<double>(vertex.true_positives) / anomalies);
        curve.thresholds.push_back(runs[vertex.run].score);
    }
    return curve;
}

std::optional<double> roc_auc(std::span<const double> scores,
                              std::span<const std::uint8_t> labels) {
    if (!has_both_classes(scores, labels)) {
        return std::nullopt;
    }
    return roc_areas(score_runs(scores, labels), 1.0).auc;
}

std::optional<double> partial_roc_auc(std::span<const double> scores,
                                      std::span<const std::uint8_t> labels, double max_fpr) {
    check_max_fpr(max_fpr);
    if (!has_both_classes(scores, labels)) {
        return std::nullopt;
    }
    return roc_areas(score_runs(scores, labels), max_fpr).pauc;
}

}  // namespace uadscope::analysis
