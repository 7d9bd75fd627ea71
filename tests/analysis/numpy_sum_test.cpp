// numpy summation order. Expected sums were computed with Debian's /usr/bin/python3
// (numpy 1.24.2) as np.add.reduce(v) for v[i] = 1 / (i + 1) + (1e8 if i % 5 == 0 else 0),
// and as a plain Python loop for the left-to-right sums; the inputs are chosen so that the
// two orders round differently.

#include <gtest/gtest.h>

#include <vector>

#include "analysis/numpy_sum.h"

namespace uadscope::analysis {
namespace {

std::vector<double> values(std::size_t n) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        v[i] = 1.0 / static_cast<double>(i + 1) + (i % 5 == 0 ? 1e8 : 0.0);
    }
    return v;
}

TEST(NumpySum, MatchesNumpyAcrossBlockSizes) {
    const std::vector<std::pair<std::size_t, double>> expected = {
        {5, 100000002.28333333},   {8, 200000002.71785715},    {13, 300000003.1801337},
        {128, 2600000005.433147},  {130, 2600000005.448591},   {1000, 20000000007.485466},
        {8192, 163900000009.5882}, {10000, 200000000009.7876}, {20000, 400000000010.4807},
    };
    for (const auto& [n, sum] : expected) {
        EXPECT_EQ(numpy_sum(values(n)), sum) << "n = " << n;
    }
}

TEST(SequentialSum, MatchesLeftToRightLoop) {
    EXPECT_EQ(sequential_sum(values(8)), 200000002.71785712);
    EXPECT_EQ(sequential_sum(values(8192)), 163900000009.5869);
    EXPECT_EQ(sequential_sum(values(20000)), 400000000010.49335);
}

TEST(NumpySum, EmptyAndSingle) {
    EXPECT_EQ(numpy_sum({}), 0.0);
    EXPECT_EQ(sequential_sum({}), 0.0);
    const std::vector<double> single = {0.25};
    EXPECT_EQ(numpy_sum(single), 0.25);
}

}  // namespace
}  // namespace uadscope::analysis
