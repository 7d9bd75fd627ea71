// ROC, AUC and pAUC against scikit-learn. Expected values were computed with Debian's
// /usr/bin/python3 (scikit-learn 1.2.1, numpy 1.24.2) by
// sklearn.metrics.roc_auc_score(labels, scores[, max_fpr=...]) and roc_curve on the same
// inputs, and are compared exactly because uadscope follows scikit-learn's operation order.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "analysis/roc.h"
#include "core/error.h"

namespace uadscope::analysis {
namespace {

struct Case {
    std::vector<double> scores;
    std::vector<std::uint8_t> labels;
};

// 200 clips with many ties: score (37 i mod 101) / 7 (+0.3 for anomalies), anomaly when
// 7 i mod 10 < 3. The same formula produced the scikit-learn values.
Case formula_case() {
    Case c;
    for (int i = 0; i < 200; ++i) {
        const std::uint8_t label = (i * 7) % 10 < 3 ? 1 : 0;
        c.labels.push_back(label);
        c.scores.push_back(((i * 37) % 101) / 7.0 + 0.3 * label);
    }
    return c;
}

TEST(RocAuc, MatchesSklearnSimple) {
    const std::vector<double> scores = {0.1, 0.4, 0.35, 0.8};
    const std::vector<std::uint8_t> labels = {0, 0, 1, 1};
    EXPECT_EQ(roc_auc(scores, labels), 0.75);
    EXPECT_EQ(partial_roc_auc(scores, labels), 0.7368421052631579);
    EXPECT_EQ(partial_roc_auc(scores, labels, 0.3), 0.7058823529411764);
}

TEST(RocAuc, MatchesSklearnWithTies) {
    const std::vector<double> scores = {1, 1, 2, 2, 3, 0};
    const std::vector<std::uint8_t> labels = {0, 1, 0, 1, 1, 0};
    EXPECT_EQ(roc_auc(scores, labels), 0.7777777777777778);
    EXPECT_EQ(partial_roc_auc(scores, labels), 0.6754385964912281);
    EXPECT_EQ(partial_roc_auc(scores, labels, 0.3), 0.696078431372549);
}

TEST(RocAuc, MatchesSklearnOnFormulaCase) {
    const Case c = formula_case();
    EXPECT_EQ(roc_auc(c.scores, c.labels), 0.5278571428571428);
    EXPECT_EQ(partial_roc_auc(c.scores, c.labels), 0.5225563909774436);
    EXPECT_EQ(partial_roc_auc(c.scores, c.labels, 0.3), 0.5179738562091504);
    EXPECT_EQ(roc_curve(c.scores, c.labels).fpr.size(), 126u);
}

TEST(RocAuc, TiesAreOneSegmentInAnyOrder) {
    Case c = formula_case();
    const double auc = *roc_auc(c.scores, c.labels);
    const double pauc = *partial_roc_auc(c.scores, c.labels);
    // Reverse the input: tied clips now meet the sort in the opposite order.
    std::reverse(c.scores.begin(), c.scores.end());
    std::reverse(c.labels.begin(), c.labels.end());
    EXPECT_EQ(roc_auc(c.scores, c.labels), auc);
    EXPECT_EQ(partial_roc_auc(c.scores, c.labels), pauc);
    // Rotate by a prime stride, another order.
    Case rotated;
    for (std::size_t i = 0; i < c.scores.size(); ++i) {
        const std::size_t j = (i * 53) % c.scores.size();
        rotated.scores.push_back(c.scores[j]);
        rotated.labels.push_back(c.labels[j]);
    }
    EXPECT_EQ(roc_auc(rotated.scores, rotated.labels), auc);
    EXPECT_EQ(partial_roc_auc(rotated.scores, rotated.labels), pauc);
}

TEST(RocAuc, AllEqualScoresGiveOneHalf) {
    const std::vector<double> scores(50, 0.5);
    std::vector<std::uint8_t> labels(50, 0);
    labels[3] = labels[17] = labels[40] = 1;
    EXPECT_EQ(roc_auc(scores, labels), 0.5);
    EXPECT_EQ(partial_roc_auc(scores, labels), 0.5);
}

TEST(RocAuc, InvertedRankingPaucIsNotZero) {
    std::vector<double> scores;
    std::vector<std::uint8_t> labels;
    for (int i = 0; i < 100; ++i) {
        scores.push_back(i / 100.0);
        labels.push_back(i < 10 ? 1 : 0);
    }
    EXPECT_EQ(roc_auc(scores, labels), 0.0);
    // McClish: 0.5 * (1 - 0.005 / 0.095).
    EXPECT_EQ(partial_roc_auc(scores, labels), 0.47368421052631576);
    EXPECT_EQ(partial_roc_auc(scores, labels, 0.3), 0.4117647058823529);
}

TEST(RocAuc, VertexExactlyAtMaxFpr) {
    // Ten normal clips, so FPR 0.1 is a vertex, followed by a vertical step at 0.1.
    const std::vector<double> scores = {0, 1, 2, 3, 4, 5, 6, 7, 8, 20, 9, 10, 3, 1, 0};
    const std::vector<std::uint8_t> labels = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
    EXPECT_EQ(roc_auc(scores, labels), 0.47000000000000003);
    EXPECT_EQ(partial_roc_auc(scores, labels), 0.47368421052631576);
    EXPECT_EQ(partial_roc_auc(scores, labels, 0.3), 0.5686274509803921);
    const RocCurve curve = roc_curve(scores, labels);
    EXPECT_EQ(curve.fpr, (std::vector<double>{0.0, 0.1, 0.1, 0.6, 0.7, 0.8, 1.0}));
    EXPECT_EQ(curve.tpr, (std::vector<double>{0.0, 0.0, 0.4, 0.4, 0.6, 0.6, 1.0}));
    // scikit-learn 1.2 puts max score + 1 first; uadscope puts +infinity there.
    EXPECT_EQ(curve.thresholds.front(), std::numeric_limits<double>::infinity());
    EXPECT_EQ(std::vector<double>(curve.thresholds.begin() + 1, curve.thresholds.end()),
              (std::vector<double>{20, 9, 4, 3, 2, 0}));
}

TEST(RocCurve, DropsCollinearVertices) {
    const std::vector<double> scores = {1, 1, 2, 2, 3, 0};
    const std::vector<std::uint8_t> labels = {0, 1, 0, 1, 1, 0};
    const RocCurve curve = roc_curve(scores, labels);
    EXPECT_EQ(curve.fpr, (std::vector<double>{0.0, 0.0, 0.6666666666666666, 1.0}));
    EXPECT_EQ(curve.tpr, (std::vector<double>{0.0, 0.3333333333333333, 1.0, 1.0}));
    EXPECT_EQ(std::vector<double>(curve.thresholds.begin() + 1, curve.thresholds.end()),
              (std::vector<double>{3, 1, 0}));
}

TEST(RocAuc, NearTiesStayDistinct) {
    const std::vector<double> scores = {0.5, 0.5, 0.5 + 1e-12, 0.5};
    const std::vector<std::uint8_t> labels = {0, 0, 1, 0};
    EXPECT_EQ(roc_auc(scores, labels), 1.0);
    EXPECT_EQ(partial_roc_auc(scores, labels), 1.0);
}

TEST(RocAuc, MaxFprOneIsPlainAuc) {
    const Case c = formula_case();
    EXPECT_EQ(partial_roc_auc(c.scores, c.labels, 1.0), roc_auc(c.scores, c.labels));
}

TEST(RocAuc, OneClassIsUndefined) {
    const std::vector<double> scores = {1, 2, 3};
    EXPECT_FALSE(roc_auc(scores, std::vector<std::uint8_t>{0, 0, 0}).has_value());
    EXPECT_FALSE(partial_roc_auc(scores, std::vector<std::uint8_t>{1, 1, 1}).has_value());
    EXPECT_FALSE(roc_auc({}, {}).has_value());
    EXPECT_THROW(roc_curve(scores, std::vector<std::uint8_t>{0, 0, 0}), Error);
}

TEST(RocAuc, SingleClipOfEachClass) {
    EXPECT_EQ(roc_auc(std::vector<double>{1, 2}, std::vector<std::uint8_t>{0, 1}), 1.0);
    EXPECT_EQ(roc_auc(std::vector<double>{2, 2}, std::vector<std::uint8_t>{0, 1}), 0.5);
}

TEST(RocAuc, RejectsInvalidInput) {
    const std::vector<double> scores = {1, 2, 3};
    EXPECT_THROW(roc_auc(scores, std::vector<std::uint8_t>{0, 1}), Error);
    EXPECT_THROW(roc_auc(scores, std::vector<std::uint8_t>{0, 1, 2}), Error);
    const std::vector<double> with_nan = {1, std::nan(""), 3};
    EXPECT_THROW(roc_auc(with_nan, std::vector<std::uint8_t>{0, 1, 0}), Error);
    const std::vector<double> with_inf = {1, std::numeric_limits<double>::infinity(), 3};
    EXPECT_THROW(roc_auc(with_inf, std::vector<std::uint8_t>{0, 1, 0}), Error);
    EXPECT_THROW(partial_roc_auc(scores, std::vector<std::uint8_t>{0, 1, 0}, 0.0), Error);
    EXPECT_THROW(partial_roc_auc(scores, std::vector<std::uint8_t>{0, 1, 0}, 1.5), Error);
}

TEST(ScoreRuns, GroupsEqualScoresInDecreasingOrder) {
    const std::vector<double> scores = {2, -0.0, 5, 2, 0.0, 5};
    const std::vector<std::uint8_t> labels = {1, 0, 0, 0, 1, 1};
    const std::vector<ScoreRun> runs = score_runs(scores, labels);
    ASSERT_EQ(runs.size(), 3u);
    EXPECT_EQ(runs[0].score, 5);
    EXPECT_EQ(runs[0].anomalies, 1);
    EXPECT_EQ(runs[0].normals, 1);
    EXPECT_EQ(runs[1].score, 2);
    EXPECT_EQ(runs[2].anomalies, 1);  // 0.0 and -0.0 share one run
    EXPECT_EQ(runs[2].normals, 1);
}

TEST(RocAreas, SkipsEmptyRuns) {
    const Case c = formula_case();
    std::vector<ScoreRun> runs = score_runs(c.scores, c.labels);
    const RocAreas full = roc_areas(runs);
    runs.insert(runs.begin() + 3, ScoreRun{runs[2].score - 1e-9, 0, 0});
    const RocAreas with_empty = roc_areas(runs);
    EXPECT_EQ(with_empty.auc, full.auc);
    EXPECT_EQ(with_empty.pauc, full.pauc);
}

}  // namespace
}  // namespace uadscope::analysis
