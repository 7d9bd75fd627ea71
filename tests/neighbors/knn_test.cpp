#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/random.h"
#include "neighbors/clustered_search.h"
#include "neighbors/knn_graph.h"
#include "neighbors/l2_distance.h"

namespace uadscope::neighbors {
namespace {

// Gaussian clusters: n rows x d, `clusters` centres spread by 10, unit noise around them.
std::vector<float> clustered_data(std::size_t n, std::size_t d, int clusters, std::uint64_t seed,
                                  float offset = 0.0f) {
    Rng rng(seed);
    std::vector<float> centres(static_cast<std::size_t>(clusters) * d);
    for (auto& value : centres) {
        value = static_cast<float>(10.0 * rng.normal());
    }
    std::vector<float> data(n * d);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t c = rng.uniform_int(static_cast<std::uint64_t>(clusters));
        for (std::size_t j = 0; j < d; ++j) {
            data[i * d + j] = offset + centres[c * d + j] + static_cast<float>(rng.normal());
        }
    }
    return data;
}

// Copies row `source` over the first `count` rows, so that those rows are identical.
void make_duplicates(std::vector<float>& data, std::size_t d, std::size_t count,
                     std::size_t source) {
    for (std::size_t i = 0; i < count; ++i) {
        if (i != source) {
            std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(source * d), d,
                        data.begin() + static_cast<std::ptrdiff_t>(i * d));
        }
    }
}

double true_distance(const std::vector<float>& a, std::size_t i, const std::vector<float>& b,
                     std::size_t j, std::size_t d) {
    double sum = 0.0;
    for (std::size_t c = 0; c < d; ++c) {
        const double diff = static_cast<double>(a[i * d + c]) - b[j * d + c];
        sum += diff * diff;
    }
    return std::sqrt(sum);
}

// Sorted double-precision distances from query row i to every reference row (except `skip`).
std::vector<double> brute_force_row(const std::vector<float>& queries, std::size_t i,
                                    const std::vector<float>& reference, std::size_t n_reference,
                                    std::size_t d, std::size_t skip) {
    std::vector<double> distances;
    for (std::size_t j = 0; j < n_reference; ++j) {
        if (j != skip) {
            distances.push_back(true_distance(queries, i, reference, j, d));
        }
    }
    std::sort(distances.begin(), distances.end());
    return distances;
}

// Distances are computed from float data in double precision and stored as float.
constexpr double distance_tolerance = 1e-5;

void expect_matches_brute_force(const KnnGraph& graph, const std::vector<float>& queries,
                                const std::vector<float>& reference, std::size_t n_reference,
                                std::size_t d, bool self_graph) {
    const auto k = static_cast<std::size_t>(graph.k);
    for (std::size_t i = 0; i < graph.n; ++i) {
        const std::size_t skip = self_graph ? i : std::numeric_limits<std::size_t>::max();
        const auto expected = brute_force_row(queries, i, reference, n_reference, d, skip);
        const auto indices = graph.row_indices(i);
        const auto distances = graph.row_distances(i);
        for (std::size_t j = 0; j < k; ++j) {
            const double scale = std::max(1.0, expected[j]);
            // The j-th distance equals the j-th smallest, whatever the order among ties.
            ASSERT_NEAR(distances[j], expected[j], distance_tolerance * scale)
                << "row " << i << " position " << j;
            // The stored distance belongs to the stored index.
            const double actual =
                true_distance(queries, i, reference, static_cast<std::size_t>(indices[j]), d);
            ASSERT_NEAR(distances[j], actual, distance_tolerance * scale)
                << "row " << i << " position " << j;
        }
    }
}

struct KnnCase {
    std::size_t n;
    std::size_t d;
    int k;
    std::size_t duplicates;  // rows 0..duplicates-1 are identical
    int jobs;
};

std::string case_name(const testing::TestParamInfo<KnnCase>& info) {
    const KnnCase& c = info.param;
    return "n" + std::to_string(c.n) + "_d" + std::to_string(c.d) + "_k" + std::to_string(c.k) +
           "_dup" + std::to_string(c.duplicates) + "_jobs" + std::to_string(c.jobs);
}

class ExactKnn : public testing::TestWithParam<KnnCase> {};

TEST_P(ExactKnn, MatchesBruteForce) {
    const KnnCase c = GetParam();
    auto data = clustered_data(c.n, c.d, 5, c.n * 31 + c.d);
    make_duplicates(data, c.d, c.duplicates, 0);
    KnnOptions options;
    options.method = KnnMethod::exact;
    options.jobs = c.jobs;
    const KnnGraph graph = build_knn_graph(data, c.n, c.d, c.k, options);
    EXPECT_EQ(graph.method, KnnMethod::exact);
    EXPECT_NO_THROW(validate_knn_graph(graph, c.n, true));
    expect_matches_brute_force(graph, data, data, c.n, c.d, true);
    if (c.duplicates > static_cast<std::size_t>(c.k)) {
        // A duplicated row has k other identical rows at distance 0 and never lists itself.
        for (std::size_t i = 0; i < c.duplicates; ++i) {
            EXPECT_EQ(graph.row_distances(i).back(), 0.0f) << "row " << i;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, ExactKnn,
                         testing::Values(KnnCase{2, 3, 1, 0, 1}, KnnCase{10, 1, 9, 0, 1},
                                         KnnCase{100, 8, 15, 30, 1}, KnnCase{100, 8, 15, 30, 2},
                                         KnnCase{300, 17, 5, 0, 2}, KnnCase{700, 64, 15, 0, 2},
                                         KnnCase{600, 5, 10, 600, 2}, KnnCase{3000, 33, 15, 40, 2}),
                         case_name);

class HnswKnn : public testing::TestWithParam<KnnCase> {};

TEST_P(HnswKnn, ValidAndHighRecall) {
    const KnnCase c = GetParam();
    auto data = clustered_data(c.n, c.d, 8, c.n * 7 + c.d);
    make_duplicates(data, c.d, c.duplicates, 0);
    KnnOptions options;
    options.method = KnnMethod::hnsw;
    options.jobs = c.jobs;
    options.recall_sample = c.n;  // every row
    const KnnGraph graph = build_knn_graph(data, c.n, c.d, c.k, options);
    EXPECT_EQ(graph.method, KnnMethod::hnsw);
    EXPECT_NO_THROW(validate_knn_graph(graph, c.n, true));
    EXPECT_GE(graph.recall, 0.95);

    // measure_recall on all rows agrees with a direct count against brute force.
    double hits = 0.0;
    for (std::size_t i = 0; i < c.n; ++i) {
        const auto expected = brute_force_row(data, i, data, c.n, c.d, i);
        const double kth = expected[static_cast<std::size_t>(c.k) - 1];
        for (const std::int32_t index : graph.row_indices(i)) {
            const double distance =
                true_distance(data, i, data, static_cast<std::size_t>(index), c.d);
            hits += distance <= kth * (1.0 + 1e-5) ? 1.0 : 0.0;
        }
    }
    const double direct = hits / (static_cast<double>(c.n) * c.k);
    // Only rows on the tie margin can differ between float and double distances.
    EXPECT_NEAR(graph.recall, direct, 1e-3);
}

INSTANTIATE_TEST_SUITE_P(Cases, HnswKnn,
                         testing::Values(KnnCase{50, 4, 5, 0, 1}, KnnCase{2000, 32, 15, 0, 2},
                                         KnnCase{2000, 16, 15, 200, 2},
                                         KnnCase{3000, 8, 15, 2500, 2}, KnnCase{600, 5, 10, 600, 2},
                                         KnnCase{3000, 100, 10, 0, 1}),
                         case_name);

class ClusteredKnn : public testing::TestWithParam<KnnCase> {};

// Lists of 40 rows make many lists even for small inputs. Every case must reach the recall
// the lists were sized for, and inputs of at most 60 rows must equal the exact search.
TEST_P(ClusteredKnn, ValidAndAtLeastTheRequiredRecall) {
    const KnnCase c = GetParam();
    auto data = clustered_data(c.n, c.d, 12, c.n * 13 + c.d);
    make_duplicates(data, c.d, c.duplicates, 0);
    KnnOptions options;
    options.method = KnnMethod::clustered;
    options.clustered.list_rows = 40;
    options.jobs = c.jobs;
    options.recall_sample = c.n;  // every row
    const KnnGraph graph = build_knn_graph(data, c.n, c.d, c.k, options);
    EXPECT_EQ(graph.method, KnnMethod::clustered);
    EXPECT_NO_THROW(validate_knn_graph(graph, c.n, true));
    EXPECT_GE(graph.recall, 0.95);
    if (c.n <= 60) {
        expect_matches_brute_force(graph, data, data, c.n, c.d, true);
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, ClusteredKnn,
                         testing::Values(KnnCase{3, 2, 1, 0, 1}, KnnCase{50, 4, 5, 0, 1},
                                         KnnCase{2000, 32, 15, 0, 2}, KnnCase{2000, 16, 15, 200, 2},
                                         KnnCase{3000, 8, 15, 2500, 2},
                                         KnnCase{3000, 100, 10, 0, 1}),
                         case_name);

TEST(ClusteredKnn, WellSeparatedClustersGiveTheExactGraph) {
    // 20 far-apart clusters of 100 rows in 64 dimensions, lists of 100 rows: the nearest
    // lists hold every true neighbour, so the graph equals the exact one.
    const std::size_t n = 2000;
    const std::size_t d = 64;
    Rng rng(5);
    std::vector<float> data(n * d);
    for (std::size_t cluster = 0; cluster < 20; ++cluster) {
        std::vector<float> centre(d);
        for (auto& value : centre) {
            value = static_cast<float>(50.0 * rng.normal());
        }
        for (std::size_t i = cluster * 100; i < (cluster + 1) * 100; ++i) {
            for (std::size_t j = 0; j < d; ++j) {
                data[i * d + j] = centre[j] + static_cast<float>(rng.normal());
            }
        }
    }
    KnnOptions options;
    options.method = KnnMethod::clustered;
    options.clustered.list_rows = 100;
    options.recall_sample = n;
    const KnnGraph graph = build_knn_graph(data, n, d, 15, options);
    EXPECT_EQ(graph.recall, 1.0);
    KnnOptions exact = options;
    exact.method = KnnMethod::exact;
    const KnnGraph expected = build_knn_graph(data, n, d, 15, exact);
    EXPECT_EQ(graph.indices, expected.indices);
    EXPECT_EQ(graph.distances, expected.distances);
}

TEST(ClusteredKnn, SameGraphForAnyThreadCount) {
    const std::size_t n = 1500;
    const std::size_t d = 20;
    const auto data = clustered_data(n, d, 6, 9);
    KnnOptions options;
    options.method = KnnMethod::clustered;
    options.clustered.list_rows = 50;
    options.jobs = 1;
    const KnnGraph one = build_knn_graph(data, n, d, 10, options);
    options.jobs = 2;
    const KnnGraph two = build_knn_graph(data, n, d, 10, options);
    EXPECT_EQ(one.indices, two.indices);
    EXPECT_EQ(one.distances, two.distances);
}

// Rows near a low-dimensional subspace of a wide space: `latent` random directions (norm
// about 4) per cluster plus small noise, like stacked spectra.
std::vector<float> low_rank_data(std::size_t n, std::size_t d, std::size_t latent,
                                 std::uint64_t seed) {
    Rng rng(seed);
    const int clusters = 4;
    std::vector<float> centres(clusters * d);
    std::vector<float> directions(clusters * latent * d);
    for (auto& value : centres) {
        value = static_cast<float>(3.0 * rng.normal());
    }
    for (auto& value : directions) {
        value = static_cast<float>(4.0 / std::sqrt(static_cast<double>(d)) * rng.normal());
    }
    std::vector<float> data(n * d);
    std::vector<double> z(latent);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t c = i % clusters;
        for (auto& value : z) {
            value = rng.normal();
        }
        for (std::size_t j = 0; j < d; ++j) {
            double value = centres[c * d + j] + 0.05 * rng.normal();
            for (std::size_t l = 0; l < latent; ++l) {
                value += directions[(c * latent + l) * d + j] * z[l];
            }
            data[i * d + j] = static_cast<float>(value);
        }
    }
    return data;
}

// Wide rows of low rank are searched in their principal components and re-ranked in all
// columns: the returned distances are exact and the recall high, for the self graph and
// for queries. Wide isotropic clusters, whose neighbours the projection loses, are searched
// in all columns.
TEST(ClusteredKnn, WideLowRankUsesProjection) {
    const std::size_t n = 3000;
    const std::size_t d = 256;
    // The last 200 rows are queries from the same clusters.
    const auto rows = low_rank_data(n + 200, d, 6, 71);
    const std::vector<float> data(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n * d));
    const std::vector<float> queries(rows.begin() + static_cast<std::ptrdiff_t>(n * d), rows.end());
    KnnOptions options;
    options.method = KnnMethod::clustered;
    options.clustered.list_rows = 100;
    options.jobs = 2;
    options.recall_sample = n;
    const detail::ClusteredIndex index(data, n, d, options, 15);
    EXPECT_EQ(index.projected_columns(), 96u);
    const KnnGraph graph = build_knn_graph(data, n, d, 15, options);
    EXPECT_NO_THROW(validate_knn_graph(graph, n, true));
    EXPECT_GE(graph.recall, 0.95);
    for (std::size_t i = 0; i < n; i += 37) {
        for (std::size_t j = 0; j < 15; ++j) {
            const auto other = static_cast<std::size_t>(graph.row_indices(i)[j]);
            const double expected = true_distance(data, i, data, other, d);
            EXPECT_NEAR(graph.row_distances(i)[j], expected, 1e-5 * std::max(1.0, expected));
        }
    }

    const KnnGraph found = index.query(queries, 200, 10, 2);
    EXPECT_NO_THROW(validate_knn_graph(found, n, false));
    std::size_t hits = 0;
    for (std::size_t i = 0; i < 200; ++i) {
        const auto expected = brute_force_row(queries, i, data, n, d, n);
        for (std::size_t j = 0; j < 10; ++j) {
            const auto other = static_cast<std::size_t>(found.row_indices(i)[j]);
            const double distance = true_distance(queries, i, data, other, d);
            EXPECT_NEAR(found.row_distances(i)[j], distance, 1e-5 * std::max(1.0, distance));
            hits += distance <= expected[9] * (1.0 + 1e-5) ? 1 : 0;
        }
    }
    EXPECT_GE(static_cast<double>(hits) / (200.0 * 10.0), 0.95);

    const auto isotropic = clustered_data(n, d, 12, 73);
    const detail::ClusteredIndex full(isotropic, n, d, options, 15);
    EXPECT_EQ(full.projected_columns(), 0u);
}

struct StorageCase {
    const char* name;
    std::size_t d;
    int projection_dims;
    bool half_precision;
};

class HnswStorage : public testing::TestWithParam<StorageCase> {};

// Every representation (float, half precision, principal components) must give exact
// distances for the rows it returns and a high recall, for the self graph and for queries.
TEST_P(HnswStorage, ExactDistancesAndHighRecall) {
    const StorageCase c = GetParam();
    const std::size_t n = 3000;
    const auto data = low_rank_data(n, c.d, 6, 60 + c.d);
    KnnOptions options;
    options.method = KnnMethod::hnsw;
    options.jobs = 2;
    options.recall_sample = n;
    options.hnsw.projection_dims = c.projection_dims;
    options.hnsw.half_precision = c.half_precision;
    const KnnGraph graph = build_knn_graph(data, n, c.d, 15, options);
    EXPECT_NO_THROW(validate_knn_graph(graph, n, true));
    EXPECT_GE(graph.recall, 0.95);
    for (std::size_t i = 0; i < n; i += 37) {
        for (std::size_t j = 0; j < 15; ++j) {
            const auto index = static_cast<std::size_t>(graph.row_indices(i)[j]);
            const double expected = true_distance(data, i, data, index, c.d);
            // Re-ranked distances are float sums over d columns.
            EXPECT_NEAR(graph.row_distances(i)[j], expected, 1e-4 * std::max(1.0, expected));
        }
    }

    const auto queries = low_rank_data(200, c.d, 6, 60 + c.d);  // same clusters, new draws
    const KnnGraph found = query_knn(data, n, queries, 200, c.d, 10, options);
    EXPECT_NO_THROW(validate_knn_graph(found, n, false));
    std::size_t hits = 0;
    for (std::size_t i = 0; i < 200; ++i) {
        const auto expected = brute_force_row(queries, i, data, n, c.d, n);
        for (const std::int32_t index : found.row_indices(i)) {
            const double distance =
                true_distance(queries, i, data, static_cast<std::size_t>(index), c.d);
            hits += distance <= expected[9] * (1.0 + 1e-5) ? 1 : 0;
        }
    }
    EXPECT_GE(static_cast<double>(hits) / (200.0 * 10.0), 0.95);
}

INSTANTIATE_TEST_SUITE_P(Representations, HnswStorage,
                         testing::Values(StorageCase{"float", 64, 0, false},
                                         StorageCase{"half", 64, 0, true},
                                         StorageCase{"half_odd_width", 37, 0, true},
                                         StorageCase{"projected", 256, 24, true}),
                         [](const testing::TestParamInfo<StorageCase>& info) {
                             return std::string(info.param.name);
                         });

TEST(HnswStorage, ProjectionRejectedWhenItLosesNeighbours) {
    // Isotropic noise in 200 columns: 16 principal components cannot keep the neighbours,
    // so the index falls back to all columns and still finds them.
    const std::size_t n = 2000;
    const std::size_t d = 200;
    Rng rng(70);
    std::vector<float> data(n * d);
    for (auto& value : data) {
        value = static_cast<float>(rng.normal());
    }
    KnnOptions options;
    options.method = KnnMethod::hnsw;
    options.recall_sample = 500;
    options.hnsw.projection_dims = 16;
    options.hnsw.ef_search = 200;
    const KnnGraph graph = build_knn_graph(data, n, d, 10, options);
    EXPECT_GE(graph.recall, 0.9);
}

TEST(SquaredL2HalfKernel, MatchesFloatDistanceOfRoundedValues) {
    if (squared_l2_half_kernel() == nullptr) {
        GTEST_SKIP() << "no hardware half-precision conversion on this CPU";
    }
    Rng rng(12);
    for (const std::size_t d : {1u, 7u, 16u, 33u, 640u}) {
        std::vector<float> a(d);
        std::vector<float> b(d);
        for (std::size_t i = 0; i < d; ++i) {
            a[i] = static_cast<float>(100.0 * rng.normal());
            b[i] = static_cast<float>(100.0 * rng.normal());
        }
        std::vector<std::uint16_t> half_a(d);
        std::vector<std::uint16_t> half_b(d);
        floats_to_half(a.data(), half_a.data(), d);
        floats_to_half(b.data(), half_b.data(), d);
        const double expected = squared_l2_scalar(a.data(), b.data(), d);
        // Half precision keeps 11 significant bits: each value within 2^-11 relative.
        EXPECT_NEAR(squared_l2_half_kernel()(half_a.data(), half_b.data(), d), expected,
                    1e-2 * expected)
            << "d = " << d;
    }
}

TEST(ExactKnn, LargeOffsetKeepsSmallDistancesExact) {
    // Rows far from the origin: |x|^2 is about 64 * 1e8, so the norms trick without
    // centring would lose every digit of the unit-scale distances in float.
    const std::size_t n = 400;
    const std::size_t d = 64;
    const auto data = clustered_data(n, d, 3, 99, 1e4f);
    KnnOptions options;
    options.method = KnnMethod::exact;
    const KnnGraph graph = build_knn_graph(data, n, d, 10, options);
    EXPECT_NO_THROW(validate_knn_graph(graph, n, true));
    expect_matches_brute_force(graph, data, data, n, d, true);
}

TEST(ExactKnn, SameResultForAnyThreadCount) {
    const std::size_t n = 900;
    const std::size_t d = 20;
    const auto data = clustered_data(n, d, 4, 5);
    KnnOptions options;
    options.method = KnnMethod::exact;
    options.jobs = 1;
    const KnnGraph one = build_knn_graph(data, n, d, 15, options);
    options.jobs = 2;
    const KnnGraph two = build_knn_graph(data, n, d, 15, options);
    EXPECT_EQ(one.indices, two.indices);
    EXPECT_EQ(one.distances, two.distances);
}

TEST(HnswKnn, OneThreadIsReproducible) {
    const std::size_t n = 1500;
    const std::size_t d = 12;
    const auto data = clustered_data(n, d, 4, 8);
    KnnOptions options;
    options.method = KnnMethod::hnsw;
    options.jobs = 1;
    options.seed = 3;
    const KnnGraph first = build_knn_graph(data, n, d, 15, options);
    const KnnGraph second = build_knn_graph(data, n, d, 15, options);
    EXPECT_EQ(first.indices, second.indices);
    EXPECT_EQ(first.distances, second.distances);
}

TEST(KnnMethodChoice, AutomaticFollowsExactMaxRows) {
    const auto data = clustered_data(200, 6, 2, 4);
    KnnOptions options;
    options.exact_max_rows = 200;
    EXPECT_EQ(build_knn_graph(data, 200, 6, 5, options).method, KnnMethod::exact);
    // Above exact_max_rows: the k-means lists when they pay off, else HNSW.
    options.exact_max_rows = 199;
    EXPECT_EQ(build_knn_graph(data, 200, 6, 5, options).method, KnnMethod::clustered);
    options.clustered.max_candidates = 10;
    EXPECT_EQ(build_knn_graph(data, 200, 6, 5, options).method, KnnMethod::hnsw);
}

class QueryKnn : public testing::TestWithParam<KnnMethod> {};

TEST_P(QueryKnn, MatchesBruteForce) {
    const std::size_t n = 800;
    const std::size_t d = 24;
    const auto reference = clustered_data(n, d, 6, 21);
    const auto queries = clustered_data(150, d, 6, 22);
    KnnOptions options;
    options.method = GetParam();
    options.hnsw.ef_search = 400;  // wide search: with 800 rows HNSW is then exact
    const KnnGraph graph = query_knn(reference, n, queries, 150, d, 15, options);
    EXPECT_EQ(graph.n, 150u);
    EXPECT_NO_THROW(validate_knn_graph(graph, n, false));
    expect_matches_brute_force(graph, queries, reference, n, d, false);
}

INSTANTIATE_TEST_SUITE_P(Methods, QueryKnn,
                         testing::Values(KnnMethod::exact, KnnMethod::hnsw, KnnMethod::clustered),
                         [](const testing::TestParamInfo<KnnMethod>& info) {
                             return std::string(to_string(info.param));
                         });

TEST(QueryKnn, QueryEqualToReferenceRowFindsItFirst) {
    const std::size_t n = 300;
    const std::size_t d = 10;
    const auto reference = clustered_data(n, d, 3, 30);
    const std::vector<float> query(reference.begin() + 17 * d, reference.begin() + 18 * d);
    const KnnGraph graph = query_knn(reference, n, query, 1, d, 3);
    EXPECT_EQ(graph.row_indices(0)[0], 17);
    EXPECT_EQ(graph.row_distances(0)[0], 0.0f);
}

TEST(KnnIndex, ReusedForSeveralQueries) {
    const std::size_t n = 500;
    const std::size_t d = 9;
    const auto reference = clustered_data(n, d, 3, 40);
    const KnnIndex index = KnnIndex::build(reference, n, d);
    EXPECT_EQ(index.n(), n);
    EXPECT_EQ(index.d(), d);
    EXPECT_EQ(index.method(), KnnMethod::exact);
    const auto first = index.query(std::span<const float>(reference).first(d), 1, 4);
    const auto second = index.query(std::span<const float>(reference).first(d), 1, 4);
    EXPECT_EQ(first.indices, second.indices);
    EXPECT_EQ(first.row_indices(0)[0], 0);
}

TEST(MeasureRecall, ExactGraphHasRecallOne) {
    const std::size_t n = 400;
    const std::size_t d = 8;
    const auto data = clustered_data(n, d, 3, 50);
    KnnOptions options;
    options.method = KnnMethod::exact;
    const KnnGraph graph = build_knn_graph(data, n, d, 10, options);
    EXPECT_DOUBLE_EQ(measure_recall(graph, data, n, d, 100, 1), 1.0);
    EXPECT_DOUBLE_EQ(measure_recall(graph, data, n, d, n, 1), 1.0);
}

TEST(MeasureRecall, CountsWrongNeighbours) {
    const std::size_t n = 400;
    const std::size_t d = 8;
    const auto data = clustered_data(n, d, 3, 51);
    KnnOptions options;
    options.method = KnnMethod::exact;
    KnnGraph graph = build_knn_graph(data, n, d, 10, options);
    // Replace the nearest neighbour of every row by the farthest row from it.
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t farthest = 0;
        double farthest_distance = -1.0;
        for (std::size_t j = 0; j < n; ++j) {
            const double distance = true_distance(data, i, data, j, d);
            if (distance > farthest_distance) {
                farthest_distance = distance;
                farthest = j;
            }
        }
        graph.indices[i * 10] = static_cast<std::int32_t>(farthest);
    }
    EXPECT_NEAR(measure_recall(graph, data, n, d, n, 1), 0.9, 1e-12);
}

TEST(CheckFinite, NamesRowLabelAndColumn) {
    std::vector<float> data(5 * 3, 1.0f);
    data[3 * 3 + 2] = std::numeric_limits<float>::quiet_NaN();
    const RowLabel label = [](std::size_t row) {
        return "file a.wav frame " + std::to_string(row * 2);
    };
    try {
        check_finite(data, 5, 3, "UMAP input", label);
        FAIL() << "NaN accepted";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("UMAP input"), std::string::npos) << message;
        EXPECT_NE(message.find("file a.wav frame 6"), std::string::npos) << message;
        EXPECT_NE(message.find("column 2"), std::string::npos) << message;
    }
}

TEST(CheckFinite, RejectsInfinityInKnnInput) {
    std::vector<float> data(6 * 2, 0.5f);
    data[7] = std::numeric_limits<float>::infinity();
    EXPECT_THROW(build_knn_graph(data, 6, 2, 2), Error);
    EXPECT_THROW(query_knn(std::vector<float>(12, 0.0f), 6, data, 6, 2, 2), Error);
}

TEST(KnnErrors, InvalidSizes) {
    const std::vector<float> data(10 * 2, 0.0f);
    EXPECT_THROW(build_knn_graph(data, 10, 2, 10), Error);  // k = n
    EXPECT_THROW(build_knn_graph(data, 10, 2, 0), Error);
    EXPECT_THROW(build_knn_graph(data, 9, 2, 3), Error);  // size mismatch
    EXPECT_THROW(build_knn_graph({}, 0, 2, 1), Error);
    EXPECT_THROW(build_knn_graph(data, 20, 0, 1), Error);
    EXPECT_THROW(query_knn(data, 10, data, 10, 2, 11), Error);  // k > n_reference
    KnnOptions options;
    options.hnsw.m = 1;
    EXPECT_THROW(build_knn_graph(data, 10, 2, 3, options), Error);
    EXPECT_THROW(parse_knn_method("fast"), Error);
    EXPECT_EQ(parse_knn_method("hnsw"), KnnMethod::hnsw);
    EXPECT_EQ(parse_knn_method("clustered"), KnnMethod::clustered);
    options = {};
    options.clustered.list_rows = 3;
    EXPECT_THROW(build_knn_graph(data, 10, 2, 3, options), Error);
}

TEST(ValidateKnnGraph, RejectsBrokenRows) {
    KnnGraph graph;
    graph.n = 2;
    graph.k = 2;
    graph.indices = {1, 1, 0, 1};
    graph.distances = {0.5f, 0.6f, 0.1f, 0.2f};
    EXPECT_THROW(validate_knn_graph(graph, 2, false), Error);  // row 0 repeats index 1
    graph.indices = {1, 0, 0, 1};
    EXPECT_THROW(validate_knn_graph(graph, 2, true), Error);  // row 0 lists itself
    EXPECT_NO_THROW(validate_knn_graph(graph, 2, false));
    graph.distances = {0.5f, 0.4f, 0.1f, 0.2f};
    EXPECT_THROW(validate_knn_graph(graph, 2, false), Error);  // decreasing
    graph.distances = {0.5f, std::numeric_limits<float>::infinity(), 0.1f, 0.2f};
    EXPECT_THROW(validate_knn_graph(graph, 2, false), Error);
}

TEST(SquaredL2Kernel, MatchesScalarForAllLengths) {
    Rng rng(11);
    for (const std::size_t d : {1u, 3u, 7u, 15u, 16u, 17u, 31u, 33u, 100u, 640u}) {
        std::vector<float> a(d);
        std::vector<float> b(d);
        double expected = 0.0;
        for (std::size_t i = 0; i < d; ++i) {
            a[i] = static_cast<float>(rng.normal());
            b[i] = static_cast<float>(rng.normal());
            expected += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
        }
        // Float sums of d terms in different orders: relative error a few ulps times log d.
        EXPECT_NEAR(squared_l2_kernel()(a.data(), b.data(), d), expected, 1e-5 * expected)
            << "d = " << d << " kernel " << squared_l2_kernel_name();
        EXPECT_NEAR(squared_l2_scalar(a.data(), b.data(), d), expected, 1e-5 * expected)
            << "d = " << d;
    }
}

}  // namespace
}  // namespace uadscope::neighbors
