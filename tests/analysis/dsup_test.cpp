// DSUP: AUC of the kNN distance to the training data and coverage of the normal test data.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "analysis/discriminative_support.h"
#include "core/error.h"
#include "core/random.h"

namespace uadscope::analysis {
namespace {

struct Vectors {
    std::vector<float> values;
    std::vector<std::uint8_t> labels;
    std::vector<std::int32_t> files;

    std::size_t n() const { return files.size(); }
};

// Appends `files` files of `per_file` vectors in d dimensions: each file has a centre drawn
// around `mean` with spread `file_spread`, and each vector adds noise of spread `noise`.
void add_files(Vectors& out, int files, int per_file, std::size_t d, double mean,
               double file_spread, double noise, std::uint8_t label, std::int32_t first_file,
               Rng& rng) {
    for (int f = 0; f < files; ++f) {
        std::vector<double> centre(d);
        for (double& value : centre) {
            value = mean + file_spread * rng.normal();
        }
        for (int v = 0; v < per_file; ++v) {
            for (std::size_t j = 0; j < d; ++j) {
                out.values.push_back(static_cast<float>(centre[j] + noise * rng.normal()));
            }
            out.labels.push_back(label);
            out.files.push_back(first_file + f);
        }
    }
}

SupportOptions exact_options() {
    SupportOptions options;
    options.knn.method = neighbors::KnnMethod::exact;
    options.knn.jobs = 2;
    return options;
}

TEST(DiscriminativeSupport, CoverageNearQuantileForSameDistribution) {
    constexpr std::size_t d = 3;
    Rng rng(1);
    Vectors train;
    add_files(train, 40, 50, d, 0.0, 0.0, 1.0, 0, 0, rng);
    Vectors test;
    add_files(test, 20, 50, d, 0.0, 0.0, 1.0, 0, 100, rng);
    const auto support =
        SupportReference::fit(train.values, train.n(), d, train.files, exact_options());
    ASSERT_TRUE(support.threshold().has_value());
    const SupportResult result = support.measure(test.values, test.n(), test.labels, test.files);
    ASSERT_TRUE(result.coverage.has_value()) << result.undefined_reason;
    // 1000 test vectors: the fraction below the 95th percentile has a standard error of
    // about 0.007; test vectors see all 2000 training vectors against 1950 for a training
    // vector, which raises coverage slightly.
    EXPECT_NEAR(*result.coverage, 0.95, 0.03);
    EXPECT_FALSE(result.auc.has_value());
    EXPECT_EQ(result.normal_vectors, 1000);
    EXPECT_EQ(result.anomaly_vectors, 0);
    EXPECT_EQ(result.train_files, 40);
    EXPECT_EQ(result.k, 5);
    EXPECT_NE(result.undefined_reason.find("AUC"), std::string::npos);
}

TEST(DiscriminativeSupport, FarAnomaliesGiveAucNearOne) {
    constexpr std::size_t d = 4;
    Rng rng(2);
    Vectors train;
    add_files(train, 20, 30, d, 0.0, 0.0, 1.0, 0, 0, rng);
    Vectors test;
    add_files(test, 10, 30, d, 0.0, 0.0, 1.0, 0, 100, rng);
    add_files(test, 10, 30, d, 6.0, 0.0, 1.0, 1, 200, rng);
    const auto support =
        SupportReference::fit(train.values, train.n(), d, train.files, exact_options());
    const SupportResult result = support.measure(test.values, test.n(), test.labels, test.files);
    ASSERT_TRUE(result.auc.has_value());
    EXPECT_GT(*result.auc, 0.99);
    ASSERT_TRUE(result.coverage.has_value());
    EXPECT_GT(*result.coverage, 0.9);
    EXPECT_EQ(result.normal_files, 10);
    EXPECT_EQ(result.anomaly_files, 10);
    EXPECT_TRUE(result.undefined_reason.empty());
}

TEST(DiscriminativeSupport, OverlappingAnomaliesGiveAucNearHalf) {
    constexpr std::size_t d = 2;
    Rng rng(3);
    Vectors train;
    add_files(train, 20, 30, d, 0.0, 0.0, 1.0, 0, 0, rng);
    Vectors test;
    add_files(test, 20, 30, d, 0.0, 0.0, 1.0, 0, 100, rng);
    add_files(test, 20, 30, d, 0.0, 0.0, 1.0, 1, 200, rng);
    const auto support =
        SupportReference::fit(train.values, train.n(), d, train.files, exact_options());
    const SupportResult result = support.measure(test.values, test.n(), test.labels, test.files);
    ASSERT_TRUE(result.auc.has_value());
    // 600 vectors per class from one distribution: standard error of the AUC about 0.017.
    EXPECT_NEAR(*result.auc, 0.5, 0.06);
}

TEST(DiscriminativeSupport, ShiftedNormalsLoseCoverage) {
    constexpr std::size_t d = 3;
    Rng rng(4);
    Vectors train;
    add_files(train, 20, 30, d, 0.0, 0.0, 1.0, 0, 0, rng);
    Vectors test;
    add_files(test, 10, 30, d, 3.0, 0.0, 1.0, 0, 100, rng);
    const auto support =
        SupportReference::fit(train.values, train.n(), d, train.files, exact_options());
    const SupportResult result = support.measure(test.values, test.n(), test.labels, test.files);
    ASSERT_TRUE(result.coverage.has_value());
    EXPECT_LT(*result.coverage, 0.5);
}

TEST(DiscriminativeSupport, NearDuplicateFramesUseOtherFiles) {
    // Frames of a file differ by 0.01 while files differ by 1: a threshold from in-sample
    // distances would be about 0.01 and cover almost no new file. Leave-one-file-out
    // distances compare files with files, as a new normal file is compared.
    constexpr std::size_t d = 3;
    Rng rng(5);
    Vectors train;
    add_files(train, 60, 20, d, 0.0, 1.0, 0.01, 0, 0, rng);
    Vectors test;
    add_files(test, 60, 20, d, 0.0, 1.0, 0.01, 0, 100, rng);
    const auto support =
        SupportReference::fit(train.values, train.n(), d, train.files, exact_options());
    ASSERT_TRUE(support.threshold().has_value());
    EXPECT_GT(*support.threshold(), 0.1);
    const SupportResult result = support.measure(test.values, test.n(), test.labels, test.files);
    ASSERT_TRUE(result.coverage.has_value());
    // Coverage varies by file here: 60 files give a standard error of about 0.03.
    EXPECT_GT(*result.coverage, 0.85);
}

TEST(DiscriminativeSupport, DistancesMatchBruteForce) {
    constexpr std::size_t d = 2;
    Rng rng(6);
    Vectors train;
    add_files(train, 5, 10, d, 0.0, 0.0, 1.0, 0, 0, rng);
    Vectors test;
    add_files(test, 1, 7, d, 0.5, 0.0, 1.0, 0, 100, rng);
    SupportOptions options = exact_options();
    options.k = 3;
    const auto support = SupportReference::fit(train.values, train.n(), d, train.files, options);
    const auto distances = support.distances(test.values, test.n());
    ASSERT_EQ(distances.size(), 7u);
    for (std::size_t q = 0; q < 7; ++q) {
        std::vector<double> all;
        for (std::size_t i = 0; i < train.n(); ++i) {
            const double dx = static_cast<double>(test.values[q * d]) - train.values[i * d];
            const double dy = static_cast<double>(test.values[q * d + 1]) - train.values[i * d + 1];
            all.push_back(std::sqrt(dx * dx + dy * dy));
        }
        std::sort(all.begin(), all.end());
        // float32 graph distances: relative error about 1e-7.
        EXPECT_NEAR(distances[q], (all[0] + all[1] + all[2]) / 3.0, 1e-5) << "query " << q;
    }
}

TEST(DiscriminativeSupport, OneTrainingFileLeavesCoverageUndefined) {
    constexpr std::size_t d = 2;
    Rng rng(7);
    Vectors train;
    add_files(train, 1, 40, d, 0.0, 0.0, 1.0, 0, 0, rng);
    Vectors test;
    add_files(test, 2, 10, d, 0.0, 0.0, 1.0, 0, 100, rng);
    add_files(test, 2, 10, d, 4.0, 0.0, 1.0, 1, 200, rng);
    const auto support =
        SupportReference::fit(train.values, train.n(), d, train.files, exact_options());
    EXPECT_FALSE(support.threshold().has_value());
    const SupportResult result = support.measure(test.values, test.n(), test.labels, test.files);
    EXPECT_FALSE(result.coverage.has_value());
    EXPECT_FALSE(result.threshold.has_value());
    ASSERT_TRUE(result.auc.has_value());
    EXPECT_GT(*result.auc, 0.9);
    EXPECT_NE(result.undefined_reason.find("at least 2 files"), std::string::npos);
}

TEST(DiscriminativeSupport, NoTestVectorsIsUndefined) {
    constexpr std::size_t d = 2;
    Rng rng(8);
    Vectors train;
    add_files(train, 3, 10, d, 0.0, 0.0, 1.0, 0, 0, rng);
    const auto support =
        SupportReference::fit(train.values, train.n(), d, train.files, exact_options());
    const SupportResult result = support.measure({}, 0, {}, {});
    EXPECT_FALSE(result.auc.has_value());
    EXPECT_FALSE(result.coverage.has_value());
    EXPECT_EQ(result.normal_vectors, 0);
}

TEST(DiscriminativeSupport, TinyTrainingSetReducesK) {
    const std::vector<float> train = {0, 0, 1, 0, 0, 1};
    const std::vector<std::int32_t> files = {0, 1, 2};
    const auto support = SupportReference::fit(train, 3, 2, files, exact_options());
    EXPECT_EQ(support.k(), 3);
    // Each file has only 2 vectors outside it, fewer than k = 3.
    EXPECT_FALSE(support.threshold().has_value());
}

TEST(DiscriminativeSupport, InvalidInputThrows) {
    const std::vector<float> train = {0, 0, 1, 1};
    const std::vector<std::int32_t> files = {0, 1};
    SupportOptions options = exact_options();
    options.k = 0;
    EXPECT_THROW(SupportReference::fit(train, 2, 2, files, options), Error);
    options = exact_options();
    options.coverage_quantile = 1.5;
    EXPECT_THROW(SupportReference::fit(train, 2, 2, files, options), Error);
    EXPECT_THROW(SupportReference::fit({}, 0, 2, {}, exact_options()), Error);
    const auto support = SupportReference::fit(train, 2, 2, files, exact_options());
    const std::vector<float> test = {0, 0};
    const std::vector<std::uint8_t> bad_label = {3};
    const std::vector<std::int32_t> test_file = {9};
    EXPECT_THROW(support.measure(test, 1, bad_label, test_file), Error);
    const std::vector<std::uint8_t> no_labels;
    EXPECT_THROW(support.measure(test, 1, no_labels, test_file), Error);
}

}  // namespace
}  // namespace uadscope::analysis
