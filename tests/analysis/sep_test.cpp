// SEP: grouped cross-validated linear SVM on synthetic separable, inseparable and
// near-duplicate data.

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "analysis/separability.h"
#include "core/error.h"
#include "core/random.h"

namespace uadscope::analysis {
namespace {

struct Dataset {
    std::size_t d = 0;
    std::vector<float> vectors;
    std::vector<std::uint8_t> labels;
    std::vector<std::int32_t> files;

    std::size_t n() const { return labels.size(); }
};

// `files_per_class` files of each class with `per_file` vectors each. A vector is
// shift * label on every axis, plus the file's own centre (spread `file_spread`), plus
// independent noise (spread `noise`).
Dataset make_dataset(int files_per_class, int per_file, std::size_t d, double shift,
                     double file_spread, double noise, std::uint64_t seed) {
    Rng rng(seed);
    Dataset data;
    data.d = d;
    std::int32_t file = 0;
    for (std::uint8_t label = 0; label < 2; ++label) {
        for (int f = 0; f < files_per_class; ++f, ++file) {
            std::vector<double> centre(d);
            for (double& value : centre) {
                value = shift * label + file_spread * rng.normal();
            }
            for (int v = 0; v < per_file; ++v) {
                for (std::size_t j = 0; j < d; ++j) {
                    data.vectors.push_back(static_cast<float>(centre[j] + noise * rng.normal()));
                }
                data.labels.push_back(label);
                data.files.push_back(file);
            }
        }
    }
    return data;
}

SeparabilityResult measure(const Dataset& data, const SeparabilityOptions& options = {}) {
    return measure_separability(data.vectors, data.n(), data.d, data.labels, data.files, options);
}

TEST(Separability, SeparableDataNearOne) {
    const Dataset data = make_dataset(10, 40, 8, 3.0, 0.2, 0.5, 1);
    const SeparabilityResult result = measure(data);
    ASSERT_TRUE(result.balanced_accuracy.has_value()) << result.undefined_reason;
    EXPECT_GT(*result.balanced_accuracy, 0.99);
    ASSERT_TRUE(result.hinge_slack.has_value());
    EXPECT_LT(*result.hinge_slack, 0.05);
    ASSERT_TRUE(result.train_hinge_slack.has_value());
    EXPECT_LT(*result.train_hinge_slack, 0.05);
    EXPECT_EQ(result.folds, 5);
    EXPECT_EQ(result.normal_files, 10);
    EXPECT_EQ(result.anomaly_files, 10);
    EXPECT_EQ(result.normal_vectors, 400);
    EXPECT_EQ(result.anomaly_vectors, 400);
    EXPECT_TRUE(result.undefined_reason.empty());
}

TEST(Separability, HingeLossAlsoSeparates) {
    const Dataset data = make_dataset(10, 40, 8, 3.0, 0.2, 0.5, 2);
    SeparabilityOptions options;
    options.loss = SvmLoss::l1;
    const SeparabilityResult result = measure(data, options);
    ASSERT_TRUE(result.balanced_accuracy.has_value());
    EXPECT_GT(*result.balanced_accuracy, 0.99);
}

TEST(Separability, SameDistributionNearHalf) {
    const Dataset data = make_dataset(20, 50, 8, 0.0, 0.0, 1.0, 3);
    const SeparabilityResult result = measure(data);
    ASSERT_TRUE(result.balanced_accuracy.has_value());
    // 2000 independent vectors: chance level 0.5 with a standard error of about 0.011.
    EXPECT_NEAR(*result.balanced_accuracy, 0.5, 0.06);
    // Vectors sit near the boundary, so most violate the unit margin.
    EXPECT_GT(*result.hinge_slack, 0.8);
}

TEST(Separability, GroupedFoldsDoNotLeakFiles) {
    // 80 files with random centres in 100 dimensions and labels unrelated to the centres;
    // each file's frames are near-duplicates of its centre. With d > files, a linear
    // boundary can memorise any labelling of the centres.
    const Dataset data = make_dataset(40, 15, 100, 0.0, 1.0, 0.02, 4);

    // One "file" per vector makes the folds ungrouped: frames of every file then sit on
    // both sides and the SVM recognises the files it has seen.
    Dataset ungrouped = data;
    for (std::size_t i = 0; i < ungrouped.files.size(); ++i) {
        ungrouped.files[i] = static_cast<std::int32_t>(i);
    }
    const SeparabilityResult leaky = measure(ungrouped);
    ASSERT_TRUE(leaky.balanced_accuracy.has_value());
    EXPECT_GT(*leaky.balanced_accuracy, 0.9);

    // Grouped by file, held-out files are new centres: chance level (standard error about
    // 0.06 at 80 files).
    const SeparabilityResult grouped = measure(data);
    ASSERT_TRUE(grouped.balanced_accuracy.has_value());
    EXPECT_LT(*grouped.balanced_accuracy, 0.7);
}

TEST(Separability, TrainingSlackOfMemorisedFiles) {
    // As above: each fold's SVM separates its 64 training centres in 100 dimensions, so the
    // slack of the objective is small, while held-out files violate the margin.
    const Dataset data = make_dataset(40, 15, 100, 0.0, 1.0, 0.02, 4);
    const SeparabilityResult result = measure(data);
    ASSERT_TRUE(result.train_hinge_slack.has_value());
    ASSERT_TRUE(result.hinge_slack.has_value());
    EXPECT_LT(*result.train_hinge_slack, 0.2);
    EXPECT_GT(*result.hinge_slack, 0.8);
}

TEST(Separability, TrainingSlackOfSameDistribution) {
    // 8 dimensions and 1600 training vectors per fold: no memorising, so the training
    // vectors violate the margin about as much as the held-out ones.
    const Dataset data = make_dataset(20, 50, 8, 0.0, 0.0, 1.0, 3);
    const SeparabilityResult result = measure(data);
    ASSERT_TRUE(result.train_hinge_slack.has_value());
    EXPECT_GT(*result.train_hinge_slack, 0.8);
    EXPECT_NEAR(*result.train_hinge_slack, *result.hinge_slack, 0.1);
}

TEST(Separability, VectorCapSamplesEachClass) {
    const Dataset data = make_dataset(5, 100, 4, 3.0, 0.2, 0.5, 5);
    SeparabilityOptions options;
    options.max_vectors_per_class = 120;
    const SeparabilityResult result = measure(data, options);
    EXPECT_EQ(result.normal_vectors, 120);
    EXPECT_EQ(result.anomaly_vectors, 120);
    EXPECT_EQ(result.normal_files, 5);
    ASSERT_TRUE(result.balanced_accuracy.has_value());
    EXPECT_GT(*result.balanced_accuracy, 0.99);
}

TEST(Separability, SameSeedSameResult) {
    const Dataset data = make_dataset(6, 30, 6, 0.5, 0.5, 1.0, 6);
    SeparabilityOptions options;
    options.seed = 11;
    const SeparabilityResult first = measure(data, options);
    const SeparabilityResult second = measure(data, options);
    ASSERT_TRUE(first.balanced_accuracy.has_value());
    EXPECT_EQ(*first.balanced_accuracy, *second.balanced_accuracy);
    EXPECT_EQ(*first.hinge_slack, *second.hinge_slack);
}

TEST(Separability, ThreadCountKeepsResult) {
    const Dataset data = make_dataset(6, 30, 6, 0.5, 0.5, 1.0, 8);
    SeparabilityOptions options;
    options.jobs = 1;
    const SeparabilityResult serial = measure(data, options);
    options.jobs = 3;
    const SeparabilityResult parallel = measure(data, options);
    ASSERT_TRUE(serial.balanced_accuracy.has_value());
    ASSERT_TRUE(parallel.balanced_accuracy.has_value());
    EXPECT_EQ(*serial.balanced_accuracy, *parallel.balanced_accuracy);
    EXPECT_EQ(*serial.hinge_slack, *parallel.hinge_slack);
    EXPECT_EQ(*serial.train_hinge_slack, *parallel.train_hinge_slack);
}

TEST(Separability, SolverFollowsLoss) {
    SeparabilityOptions options;
    EXPECT_EQ(options.solver_name(), "L2R_L2LOSS_SVC");
    EXPECT_EQ(options.solver_tolerance(), default_primal_tolerance);
    options.loss = SvmLoss::l1;
    EXPECT_EQ(options.solver_name(), "L2R_L1LOSS_SVC_DUAL");
    EXPECT_EQ(options.solver_tolerance(), default_dual_tolerance);
    options.tolerance = 0.5;
    EXPECT_EQ(options.solver_tolerance(), 0.5);
    options.tolerance = 0.0;
    EXPECT_THROW(options.validate(), Error);
}

TEST(Separability, OneClassIsUndefined) {
    Dataset data = make_dataset(4, 10, 3, 1.0, 0.2, 0.5, 7);
    for (auto& label : data.labels) {
        label = 0;
    }
    // Relabelled to one class, each file keeps one label.
    const SeparabilityResult result = measure(data);
    EXPECT_FALSE(result.balanced_accuracy.has_value());
    EXPECT_FALSE(result.hinge_slack.has_value());
    EXPECT_FALSE(result.train_hinge_slack.has_value());
    EXPECT_EQ(result.normal_files, 8);
    EXPECT_EQ(result.anomaly_files, 0);
    EXPECT_EQ(result.folds, 0);
    EXPECT_NE(result.undefined_reason.find("at least 2 files"), std::string::npos);
}

TEST(Separability, OneFilePerClassIsUndefined) {
    const Dataset data = make_dataset(1, 50, 3, 3.0, 0.2, 0.5, 8);
    const SeparabilityResult result = measure(data);
    EXPECT_FALSE(result.balanced_accuracy.has_value());
    EXPECT_EQ(result.normal_files, 1);
    EXPECT_EQ(result.anomaly_vectors, 50);
}

TEST(Separability, EmptyInputIsUndefined) {
    const SeparabilityResult result = measure_separability({}, 0, 3, {}, {});
    EXPECT_FALSE(result.balanced_accuracy.has_value());
    EXPECT_FALSE(result.undefined_reason.empty());
}

TEST(Separability, InvalidInputThrows) {
    Dataset data = make_dataset(3, 4, 2, 1.0, 0.2, 0.5, 9);
    Dataset bad_label = data;
    bad_label.labels[0] = 2;
    EXPECT_THROW(measure(bad_label), Error);
    Dataset mixed = data;
    mixed.labels[1] = 1;  // file 0 now has both labels
    EXPECT_THROW(measure(mixed), Error);
    Dataset not_finite = data;
    not_finite.vectors[3] = NAN;
    EXPECT_THROW(measure(not_finite), Error);
    EXPECT_THROW(measure_separability(data.vectors, data.n() + 1, data.d, data.labels, data.files),
                 Error);
    SeparabilityOptions options;
    options.c = 0.0;
    EXPECT_THROW(measure(data, options), Error);
    options = {};
    options.folds = 1;
    EXPECT_THROW(measure(data, options), Error);
    EXPECT_THROW(parse_svm_loss("hinge"), Error);
    EXPECT_EQ(parse_svm_loss("l1"), SvmLoss::l1);
}

TEST(FileFolds, EveryFoldGetsBothClasses) {
    std::map<std::int32_t, std::uint8_t> labels;
    for (std::int32_t file = 0; file < 23; ++file) {
        labels[file * 3] = file < 12 ? 0 : 1;  // 12 normal, 11 anomalous files
    }
    const auto folds = assign_file_folds(labels, 5, 42);
    ASSERT_EQ(folds.size(), labels.size());
    std::map<int, std::array<int, 2>> counts;
    for (const auto& [file, fold] : folds) {
        ASSERT_TRUE(labels.contains(file));
        ASSERT_GE(fold, 0);
        ASSERT_LT(fold, 5);
        ++counts[fold][labels.at(file)];
    }
    ASSERT_EQ(counts.size(), 5u);
    for (const auto& [fold, count] : counts) {
        EXPECT_GE(count[0], 2) << "fold " << fold;
        EXPECT_GE(count[1], 2) << "fold " << fold;
        // Dealing in turn keeps the folds within one file of each other.
        EXPECT_GE(count[0] + count[1], 4);
        EXPECT_LE(count[0] + count[1], 5);
    }
}

TEST(FileFolds, SeedDecidesAssignment) {
    std::map<std::int32_t, std::uint8_t> labels;
    for (std::int32_t file = 0; file < 40; ++file) {
        labels[file] = static_cast<std::uint8_t>(file % 2);
    }
    EXPECT_EQ(assign_file_folds(labels, 5, 1), assign_file_folds(labels, 5, 1));
    EXPECT_NE(assign_file_folds(labels, 5, 1), assign_file_folds(labels, 5, 2));
}

TEST(FileFolds, SmallClassesStillLeaveTrainingFiles) {
    // 2 files per class and 5 folds: no fold gets both files of a class.
    const std::map<std::int32_t, std::uint8_t> labels = {{0, 0}, {1, 0}, {2, 1}, {3, 1}};
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const auto folds = assign_file_folds(labels, 4, seed);
        EXPECT_NE(folds.at(0), folds.at(1)) << "seed " << seed;
        EXPECT_NE(folds.at(2), folds.at(3)) << "seed " << seed;
    }
}

}  // namespace
}  // namespace uadscope::analysis
