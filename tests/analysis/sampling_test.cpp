#include <gtest/gtest.h>

#include <set>
#include <utility>
#include <vector>

#include "analysis/sampling.h"
#include "core/error.h"

namespace uadscope::analysis {
namespace {

std::vector<SampleFile> two_groups() {
    return {
        {0, 300, "fan/00/source/train/normal", true},
        {1, 300, "fan/00/source/train/normal", true},
        {2, 100, "fan/00/source/test/anomaly", false},
        {3, 0, "fan/00/source/test/anomaly", false},
    };
}

TEST(SampleVectors, CapsEachGroup) {
    const auto files = two_groups();
    const Sample sample = sample_vectors(files, {250, 40}, 0);
    ASSERT_EQ(sample.groups.size(), 2u);
    EXPECT_EQ(sample.groups[0].available, 600);
    EXPECT_EQ(sample.groups[0].sampled, 250);
    EXPECT_EQ(sample.groups[1].available, 100);
    EXPECT_EQ(sample.groups[1].sampled, 40);
    EXPECT_EQ(sample.points.size(), 290u);
}

TEST(SampleVectors, PointsDistinctAndInRange) {
    const auto files = two_groups();
    const Sample sample = sample_vectors(files, {250, 40}, 3);
    std::set<std::pair<int, int>> seen;
    for (const auto& point : sample.points) {
        EXPECT_TRUE(seen.emplace(point.file_id, point.frame).second);
        EXPECT_GE(point.frame, 0);
        EXPECT_LT(point.frame, point.file_id == 2 ? 100 : 300);
        EXPECT_NE(point.file_id, 3);
    }
}

TEST(SampleVectors, ZeroCapKeepsEverything) {
    const auto files = two_groups();
    const Sample sample = sample_vectors(files, {0, 0}, 0);
    EXPECT_EQ(sample.points.size(), 700u);
}

TEST(SampleVectors, SameSeedSameSampleOtherSeedDiffers) {
    const auto files = two_groups();
    const auto first = sample_vectors(files, {100, 10}, 5).points;
    const auto second = sample_vectors(files, {100, 10}, 5).points;
    const auto other = sample_vectors(files, {100, 10}, 6).points;
    ASSERT_EQ(first.size(), second.size());
    bool identical = true;
    bool differs = false;
    for (std::size_t i = 0; i < first.size(); ++i) {
        identical &= first[i].file_id == second[i].file_id && first[i].frame == second[i].frame;
        differs |= first[i].file_id != other[i].file_id || first[i].frame != other[i].frame;
    }
    EXPECT_TRUE(identical);
    EXPECT_TRUE(differs);
}

TEST(SampleVectors, RoughlyUniformAcrossFiles) {
    // 2 files of equal size in one group: each should get about half of the sample.
    std::vector<SampleFile> files = {{0, 5000, "g", true}, {1, 5000, "g", true}};
    const Sample sample = sample_vectors(files, {1000, 0}, 11);
    int from_first = 0;
    for (const auto& point : sample.points) {
        from_first += point.file_id == 0;
    }
    // Hypergeometric standard deviation is about 15; allow 5 of them.
    EXPECT_NEAR(from_first, 500, 75);
}

TEST(SampleVectors, EmptyInputAndNegativeCap) {
    EXPECT_TRUE(sample_vectors({}, {}, 0).points.empty());
    const auto files = two_groups();
    EXPECT_THROW(sample_vectors(files, {-1, 10}, 0), Error);
}

}  // namespace
}  // namespace uadscope::analysis
