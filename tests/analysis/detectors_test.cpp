// kNN-distance and LOF detectors against brute force, scikit-learn and a slow LOF.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "analysis/knn_detector.h"
#include "analysis/lof.h"
#include "core/error.h"
#include "core/random.h"

namespace uadscope::analysis {
namespace {

std::vector<float> gaussian_rows(std::size_t n, std::size_t d, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<float> rows(n * d);
    for (float& value : rows) {
        value = static_cast<float>(rng.normal());
    }
    return rows;
}

double distance(const float* a, const float* b, std::size_t d) {
    double sum = 0.0;
    for (std::size_t j = 0; j < d; ++j) {
        const double difference = static_cast<double>(a[j]) - b[j];
        sum += difference * difference;
    }
    return std::sqrt(sum);
}

// Indices of the k nearest reference rows of `query`, nearest first, skipping `skip_row`
// and the rows of file `skip_file` (-1 for none).
std::vector<std::size_t> brute_neighbours(const std::vector<float>& reference, std::size_t d,
                                          const float* query, int k, std::size_t skip_row,
                                          const std::vector<std::int32_t>& files,
                                          std::int32_t skip_file) {
    const std::size_t n = reference.size() / d;
    std::vector<std::pair<double, std::size_t>> candidates;
    for (std::size_t i = 0; i < n; ++i) {
        if (i == skip_row || (skip_file >= 0 && files[i] == skip_file)) {
            continue;
        }
        candidates.emplace_back(distance(query, reference.data() + i * d, d), i);
    }
    std::sort(candidates.begin(), candidates.end());
    std::vector<std::size_t> nearest;
    for (int j = 0; j < k; ++j) {
        nearest.push_back(candidates[static_cast<std::size_t>(j)].second);
    }
    return nearest;
}

double brute_mean_distance(const std::vector<float>& reference, std::size_t d, const float* query,
                           const std::vector<std::size_t>& neighbours) {
    double sum = 0.0;
    for (const std::size_t i : neighbours) {
        sum += distance(query, reference.data() + i * d, d);
    }
    return sum / static_cast<double>(neighbours.size());
}

// LOF with exactly k neighbours and scikit-learn's 1e-10 floor, from all-pairs distances in
// double precision: a slow and direct reading of lof.h's formulas.
struct SlowLof {
    std::vector<float> reference;
    std::size_t d;
    int k;
    std::vector<double> k_distance;
    std::vector<double> lrd;

    SlowLof(std::vector<float> rows, std::size_t dims, int neighbours)
        : reference(std::move(rows)), d(dims), k(neighbours) {
        const std::size_t n = reference.size() / d;
        const std::vector<std::int32_t> no_files(n, 0);
        std::vector<std::vector<std::size_t>> neighbour_lists;
        for (std::size_t i = 0; i < n; ++i) {
            const float* row = reference.data() + i * d;
            neighbour_lists.push_back(brute_neighbours(reference, d, row, k, i, no_files, -1));
            k_distance.push_back(
                distance(row, reference.data() + neighbour_lists.back().back() * d, d));
        }
        for (std::size_t i = 0; i < n; ++i) {
            lrd.push_back(density(reference.data() + i * d, neighbour_lists[i]));
        }
    }

    double density(const float* row, const std::vector<std::size_t>& neighbours) const {
        double sum = 0.0;
        for (const std::size_t o : neighbours) {
            sum += std::max(k_distance[o], distance(row, reference.data() + o * d, d));
        }
        return 1.0 / (sum / k + 1e-10);
    }

    double lof(const float* row, std::size_t skip_row) const {
        const std::vector<std::int32_t> no_files(reference.size() / d, 0);
        const auto neighbours = brute_neighbours(reference, d, row, k, skip_row, no_files, -1);
        const double own = density(row, neighbours);
        double sum = 0.0;
        for (const std::size_t o : neighbours) {
            sum += lrd[o] / own;
        }
        return sum / k;
    }
};

neighbors::KnnOptions exact() {
    neighbors::KnnOptions options;
    options.method = neighbors::KnnMethod::exact;
    options.jobs = 2;
    return options;
}

ReferenceSet reference_of(const std::vector<float>& rows, std::size_t d,
                          std::vector<std::int32_t> files = {}) {
    const std::size_t n = rows.size() / d;
    if (files.empty()) {
        files.resize(n);
        std::iota(files.begin(), files.end(), 0);
    }
    return ReferenceSet::build(rows, n, d, files, exact());
}

TEST(KnnDetector, MatchesBruteForce) {
    constexpr std::size_t d = 6;
    const auto train = gaussian_rows(300, d, 1);
    const auto test = gaussian_rows(40, d, 2);
    const auto detector = NeighborDetector::fit(reference_of(train, d), DetectorKind::knn, 5);
    EXPECT_EQ(detector.k(), 5);
    const auto scores = detector.score(test, 40);
    ASSERT_EQ(scores.size(), 40u);
    const std::vector<std::int32_t> no_files(300, 0);
    for (std::size_t i = 0; i < 40; ++i) {
        const float* row = test.data() + i * d;
        const auto nearest = brute_neighbours(train, d, row, 5, SIZE_MAX, no_files, -1);
        // Graph distances are float32 values of double computations: relative error ~1e-7.
        EXPECT_NEAR(scores[i], brute_mean_distance(train, d, row, nearest), 1e-5) << "query " << i;
    }
}

TEST(KnnDetector, InSampleExcludesSelf) {
    constexpr std::size_t d = 4;
    const auto train = gaussian_rows(120, d, 3);
    const auto detector = NeighborDetector::fit(reference_of(train, d), DetectorKind::knn, 3);
    const auto& scores = detector.in_sample_scores();
    ASSERT_EQ(scores.size(), 120u);
    const std::vector<std::int32_t> no_files(120, 0);
    for (std::size_t i = 0; i < 120; ++i) {
        const float* row = train.data() + i * d;
        const auto nearest = brute_neighbours(train, d, row, 3, i, no_files, -1);
        EXPECT_NEAR(scores[i], brute_mean_distance(train, d, row, nearest), 1e-5) << "row " << i;
        EXPECT_GT(scores[i], 0.0);
    }
}

TEST(KnnDetector, LeaveOneFileOutSkipsOwnFile) {
    constexpr std::size_t d = 3;
    const auto train = gaussian_rows(200, d, 4);
    std::vector<std::int32_t> files(200);
    for (std::size_t i = 0; i < 200; ++i) {
        files[i] = static_cast<std::int32_t>(i / 20);  // 10 files of 20 vectors
    }
    const auto detector =
        NeighborDetector::fit(reference_of(train, d, files), DetectorKind::knn, 5);
    // Training vectors of files 0 and 3 plus two vectors of a file outside the reference.
    std::vector<float> queries;
    std::vector<std::int32_t> query_files;
    for (const std::size_t row : {0, 5, 19, 60, 79}) {
        queries.insert(queries.end(), train.begin() + static_cast<std::ptrdiff_t>(row * d),
                       train.begin() + static_cast<std::ptrdiff_t>((row + 1) * d));
        query_files.push_back(files[row]);
    }
    const auto outside = gaussian_rows(2, d, 5);
    queries.insert(queries.end(), outside.begin(), outside.end());
    query_files.push_back(99);
    query_files.push_back(99);
    const auto scores = detector.score(queries, query_files.size(), query_files);
    for (std::size_t q = 0; q < query_files.size(); ++q) {
        const float* row = queries.data() + q * d;
        const auto nearest = brute_neighbours(train, d, row, 5, SIZE_MAX, files, query_files[q]);
        for (const std::size_t i : nearest) {
            EXPECT_NE(files[i], query_files[q]);
        }
        EXPECT_NEAR(scores[q], brute_mean_distance(train, d, row, nearest), 1e-5) << "query " << q;
    }
    // Without exclusion the training vectors find themselves among their neighbours.
    const auto plain = detector.score(queries, query_files.size());
    EXPECT_LT(plain[0], scores[0]);
}

TEST(KnnDetector, LeaveOneFileOutFewLargeFiles) {
    // 3 files of 100 vectors: each file's queries search the 2 other files' own indexes
    // instead of asking the whole index for k + 100 neighbours. Both must give the exact
    // neighbours.
    constexpr std::size_t d = 4;
    constexpr std::size_t n = 300;
    const auto train = gaussian_rows(n, d, 12);
    std::vector<std::int32_t> files(n);
    for (std::size_t i = 0; i < n; ++i) {
        files[i] = static_cast<std::int32_t>(i / 100);
    }
    const ReferenceSet reference = reference_of(train, d, files);
    const neighbors::KnnGraph graph = reference.query(train, n, 5, files);
    for (std::size_t q = 0; q < n; ++q) {
        const float* row = train.data() + q * d;
        const auto nearest = brute_neighbours(train, d, row, 5, SIZE_MAX, files, files[q]);
        const auto indices = graph.row_indices(q);
        const auto distances = graph.row_distances(q);
        for (std::size_t j = 0; j < 5; ++j) {
            EXPECT_NE(files[static_cast<std::size_t>(indices[j])], files[q]) << "query " << q;
            // Exact distances of float32 data: relative error about 1e-7.
            EXPECT_NEAR(distances[j], brute_mean_distance(train, d, row, {nearest[j]}), 1e-5)
                << "query " << q << " neighbour " << j;
        }
        EXPECT_TRUE(std::is_sorted(distances.begin(), distances.end())) << "query " << q;
    }
}

TEST(KnnDetector, TooFewVectorsOutsideFileThrows) {
    constexpr std::size_t d = 2;
    const auto train = gaussian_rows(12, d, 6);
    std::vector<std::int32_t> files(12, 0);
    files[10] = 1;
    files[11] = 1;
    const auto detector =
        NeighborDetector::fit(reference_of(train, d, files), DetectorKind::knn, 5);
    const std::vector<float> query(train.begin(), train.begin() + 2);
    const std::vector<std::int32_t> own_file = {0};
    // File 0 leaves 2 vectors of file 1, fewer than k = 5.
    EXPECT_THROW(detector.score(query, 1, own_file), Error);
}

TEST(KnnDetector, SmallReferenceReducesK) {
    const std::vector<float> train = {0, 0, 1, 0, 0, 2};
    const auto detector = NeighborDetector::fit(reference_of(train, 2), DetectorKind::knn, 5);
    EXPECT_EQ(detector.k(), 2);
    const std::vector<float> query = {0, 0};
    const auto scores = detector.score(query, 1);
    EXPECT_NEAR(scores[0], 0.5, 1e-6);  // mean of the distances 0 and 1
}

TEST(KnnDetector, InvalidInputThrows) {
    const std::vector<float> one = {0, 0};
    EXPECT_THROW(NeighborDetector::fit(reference_of(one, 2), DetectorKind::knn, 5), Error);
    const std::vector<float> two = {0, 0, 1, 1};
    EXPECT_THROW(NeighborDetector::fit(reference_of(two, 2), DetectorKind::lof, 0), Error);
    const std::vector<std::int32_t> files = {0};
    EXPECT_THROW(ReferenceSet::build(two, 2, 2, files, exact()), Error);
    const std::vector<float> infinite = {0, 0, INFINITY, 1};
    const std::vector<std::int32_t> two_files = {0, 1};
    EXPECT_THROW(ReferenceSet::build(infinite, 2, 2, two_files, exact()), Error);
}

// Points and scores from scikit-learn 1.2.1:
//   rs = numpy.random.RandomState(7)
//   X = numpy.round(rs.normal(size=(24, 3)) * 256) / 256; X[20:] += [3, 0, 0]
//   Q = numpy.round(rs.normal(size=(6, 3)) * 256) / 256; Q[5] = [5, 5, 5]
//   lof = LocalOutlierFactor(n_neighbors=3, novelty=True).fit(X)
//   -lof.negative_outlier_factor_, -lof.score_samples(Q)
// Multiples of 1/256 are exact in float32, and the 3rd and 4th neighbour distances differ
// by at least 0.004, so float32 distances pick scikit-learn's neighbours.
const std::vector<float> sklearn_points = {
    1.69140625,  -0.46484375, 0.03125,     0.40625,    -0.7890625,  0.00390625,  -0.0,
    -1.75390625, 1.01953125,  0.6015625,   -0.625,     -0.171875,   0.50390625,  -0.26171875,
    -0.2421875,  -1.453125,   0.5546875,   0.125,      0.2734375,   -1.52734375, 1.65234375,
    0.15625,     -0.38671875, 2.02734375,  -0.046875,  -1.44921875, -0.40625,    -2.2890625,
    1.05078125,  -0.41796875, -0.7421875,  1.07421875, -1.65234375, 0.53515625,  -2.0625,
    -0.6640625,  -1.203125,   1.4609375,   1.765625,   -0.328125,   0.83984375,  -0.1796875,
    0.56640625,  -0.75390625, -1.70703125, -1.8046875, 0.3828125,   2.24609375,  0.26953125,
    -0.5234375,  1.91015625,  0.23828125,  0.1015625,  0.25390625,  -0.1328125,  -0.30859375,
    -1.43359375, 0.5,         -0.09375,    1.19140625, 2.6328125,   -1.90625,    -0.1015625,
    4.69921875,  -0.3828125,  -0.890625,   1.8046875,  -1.05078125, -0.30078125, 1.8203125,
    1.49609375,  -0.28125};
const std::vector<float> sklearn_queries = {
    0.109375,    1.4375,      1.50390625,  -0.2109375, 0.33203125, 0.734375,
    -0.19140625, -1.77734375, 0.65625,     0.89453125, 0.4140625,  -0.921875,
    -0.1953125,  -0.58984375, -0.30078125, 5.0,        5.0,        5.0};
const std::vector<double> sklearn_fit_lof = {
    1.1814043191670922, 0.929142208270441,  1.2810817859228745, 0.9487600871784108,
    1.0751192147971187, 1.3846180736016012, 1.0428655394718265, 0.9414081190551293,
    1.1903883032254303, 1.2070043049334018, 1.0840854870041257, 1.4276008358307273,
    1.2313522760285365, 1.3236458231617008, 1.5101071938371244, 1.4372426008478214,
    1.0083449096136403, 0.9577018879885987, 1.4339469804300375, 1.0768234678205153,
    1.2714643105979924, 2.0104212628747846, 1.3556240749480202, 2.191269666917119};
const std::vector<double> sklearn_query_lof = {1.6324904444476465, 1.0440598518492699,
                                               1.0081741638550479, 1.266842767142354,
                                               0.9820561116452687, 5.8696182058673445};

TEST(LofDetector, MatchesScikitLearn) {
    const auto detector =
        NeighborDetector::fit(reference_of(sklearn_points, 3), DetectorKind::lof, 3);
    const auto& fitted = detector.in_sample_scores();
    ASSERT_EQ(fitted.size(), sklearn_fit_lof.size());
    for (std::size_t i = 0; i < fitted.size(); ++i) {
        // float32 distances against scikit-learn's float64: relative error ~1e-7.
        EXPECT_NEAR(fitted[i], sklearn_fit_lof[i], 1e-5 * sklearn_fit_lof[i]) << "row " << i;
    }
    const auto scores = detector.score(sklearn_queries, 6);
    for (std::size_t i = 0; i < scores.size(); ++i) {
        EXPECT_NEAR(scores[i], sklearn_query_lof[i], 1e-5 * sklearn_query_lof[i]) << "query " << i;
    }
}

TEST(LofDetector, MatchesSlowReference) {
    constexpr std::size_t d = 5;
    auto train = gaussian_rows(150, d, 8);
    // A tight cluster gives a range of densities.
    for (std::size_t i = 0; i < 30 * d; ++i) {
        train[i] = 0.05f * train[i] + 4.0f;
    }
    const auto test = gaussian_rows(30, d, 9);
    const SlowLof slow(train, d, 7);
    const auto detector = NeighborDetector::fit(reference_of(train, d), DetectorKind::lof, 7);
    for (std::size_t i = 0; i < 150; ++i) {
        const double expected = slow.lof(train.data() + i * d, i);
        EXPECT_NEAR(detector.in_sample_scores()[i], expected, 1e-5 * expected) << "row " << i;
    }
    const auto scores = detector.score(test, 30);
    for (std::size_t i = 0; i < 30; ++i) {
        const double expected = slow.lof(test.data() + i * d, SIZE_MAX);
        EXPECT_NEAR(scores[i], expected, 1e-5 * expected) << "query " << i;
    }
}

TEST(LofDetector, DuplicatesStayFinite) {
    // 40 copies of one point, 10 of another and 10 distinct points: 50 vectors have a
    // k-distance of 0 for k = 5.
    std::vector<float> train;
    for (int i = 0; i < 40; ++i) {
        train.insert(train.end(), {1.0f, 1.0f});
    }
    for (int i = 0; i < 10; ++i) {
        train.insert(train.end(), {-1.0f, 2.0f});
    }
    const auto spread = gaussian_rows(10, 2, 10);
    train.insert(train.end(), spread.begin(), spread.end());
    const auto detector = NeighborDetector::fit(reference_of(train, 2), DetectorKind::lof, 5);
    EXPECT_EQ(detector.duplicates().vectors, 60u);
    EXPECT_EQ(detector.duplicates().zero_k_distance, 50u);
    EXPECT_DOUBLE_EQ(detector.duplicates().fraction(), 50.0 / 60.0);

    const SlowLof slow(train, 2, 5);
    for (std::size_t i = 0; i < 60; ++i) {
        const double score = detector.in_sample_scores()[i];
        EXPECT_TRUE(std::isfinite(score)) << "row " << i;
        const double expected = slow.lof(train.data() + i * 2, i);
        EXPECT_NEAR(score, expected, 1e-5 * expected) << "row " << i;
    }
    // A query on the duplicated point has lrd 1e10, like its neighbours: LOF 1.
    const std::vector<float> on_duplicate = {1.0f, 1.0f, 0.5f, 0.5f};
    const auto scores = detector.score(on_duplicate, 2);
    EXPECT_NEAR(scores[0], 1.0, 1e-9);
    // A query near the duplicates but not on them is extremely anomalous, yet finite.
    EXPECT_TRUE(std::isfinite(scores[1]));
    EXPECT_GT(scores[1], 1e6);
}

TEST(LofFunctions, KDistanceIsLastColumn) {
    neighbors::KnnGraph graph;
    graph.n = 2;
    graph.k = 2;
    graph.indices = {1, 0, 0, 1};
    graph.distances = {0.5f, 1.5f, 0.5f, 2.0f};
    const auto k_distance = k_distances(graph);
    EXPECT_EQ(k_distance, (std::vector<double>{1.5, 2.0}));
}

TEST(AggregateFileScores, MeanAndMax) {
    const std::vector<double> scores = {1, 5, 3, 2, 2, 10};
    const std::vector<std::int32_t> files = {7, 7, 7, 3, 3, 9};
    const auto mean = aggregate_file_scores(scores, files, FileAggregate::mean);
    EXPECT_EQ(mean.files, (std::vector<std::int32_t>{3, 7, 9}));
    EXPECT_EQ(mean.scores, (std::vector<double>{2, 3, 10}));
    EXPECT_EQ(mean.vectors, (std::vector<std::int64_t>{2, 3, 1}));
    const auto max = aggregate_file_scores(scores, files, FileAggregate::max);
    EXPECT_EQ(max.scores, (std::vector<double>{2, 5, 10}));
    const std::vector<std::int32_t> short_files = {1};
    EXPECT_THROW(aggregate_file_scores(scores, short_files, FileAggregate::mean), Error);
    EXPECT_TRUE(aggregate_file_scores({}, {}, FileAggregate::max).files.empty());
}

TEST(LinearQuantile, MatchesNumpy) {
    // numpy.quantile([4, 1, 3, 2], q) for q = 0, 0.9, 0.95, 1 and of one value.
    const std::vector<double> values = {4, 1, 3, 2};
    EXPECT_DOUBLE_EQ(linear_quantile(values, 0.0), 1.0);
    EXPECT_DOUBLE_EQ(linear_quantile(values, 0.9), 3.7);
    EXPECT_DOUBLE_EQ(linear_quantile(values, 0.95), 3.85);
    EXPECT_DOUBLE_EQ(linear_quantile(values, 1.0), 4.0);
    const std::vector<double> one = {2.5};
    EXPECT_DOUBLE_EQ(linear_quantile(one, 0.9), 2.5);
}

TEST(DetectorNames, ParseAndPrint) {
    EXPECT_EQ(parse_detector_kind("lof"), DetectorKind::lof);
    EXPECT_EQ(to_string(DetectorKind::knn), "knn");
    EXPECT_THROW(parse_detector_kind("LOF"), Error);
    EXPECT_EQ(parse_file_aggregate("max"), FileAggregate::max);
    EXPECT_THROW(parse_file_aggregate("median"), Error);
}

}  // namespace
}  // namespace uadscope::analysis
