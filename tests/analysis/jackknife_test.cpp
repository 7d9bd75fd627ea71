// Jackknife of AUC and pAUC against the 2023 evaluator's jackknife_estimate() run on the
// same 200 clips with Debian's /usr/bin/python3 (numpy 1.24.2, scipy 1.10.1, scikit-learn
// 1.2.1). The estimates follow the same summation order, so they are compared exactly.
// The intervals differ in the 12th digit because scipy's t.ppf is accurate to about 1e-12
// relative only, hence the 1e-9 relative tolerance.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "analysis/jackknife.h"

namespace uadscope::analysis {
namespace {

TEST(JackknifeRoc, MatchesEvaluatorImplementation) {
    std::vector<double> scores;
    std::vector<std::uint8_t> labels;
    for (int i = 0; i < 200; ++i) {
        const std::uint8_t label = (i * 7) % 10 < 3 ? 1 : 0;
        labels.push_back(label);
        scores.push_back(((i * 37) % 101) / 7.0 + 0.3 * label);
    }
    for (const int jobs : {1, 2}) {
        const auto result = jackknife_roc(scores, labels, dcase_max_fpr, jobs);
        ASSERT_TRUE(result.has_value());
        EXPECT_EQ(result->clips, 200u);
        EXPECT_EQ(result->auc.value, 0.5278571428571428);
        EXPECT_EQ(result->auc.estimate, 0.5278571428571247);
        EXPECT_NEAR(result->auc.ci95, 0.00045031534419383534, 1e-9 * 0.00045031534419383534);
        EXPECT_EQ(result->pauc.value, 0.5225563909774436);
        EXPECT_EQ(result->pauc.estimate, 0.5225563909774398);
        EXPECT_NEAR(result->pauc.ci95, 0.0001924927166557682, 1e-9 * 0.0001924927166557682);
    }
}

TEST(JackknifeRoc, NeedsTwoClipsOfEachClass) {
    const std::vector<double> scores = {1, 2, 3, 4};
    EXPECT_FALSE(jackknife_roc(scores, std::vector<std::uint8_t>{0, 0, 0, 1}).has_value());
    EXPECT_FALSE(jackknife_roc(scores, std::vector<std::uint8_t>{1, 1, 1, 0}).has_value());
    const auto result = jackknife_roc(scores, std::vector<std::uint8_t>{0, 0, 1, 1});
    ASSERT_TRUE(result.has_value());
    // Perfect ranking stays perfect without any one clip: no spread.
    EXPECT_EQ(result->auc.value, 1.0);
    EXPECT_EQ(result->auc.ci95, 0.0);
}

}  // namespace
}  // namespace uadscope::analysis
