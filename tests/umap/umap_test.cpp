// Tests of UMAP fit and transform: required behaviour on edge cases, reproducibility and
// quality on small inputs.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "umap/quality.h"
#include "umap/test_data.h"
#include "umap/umap.h"

namespace uadscope::umap {
namespace {

using test_data::gaussian_blobs;

void expect_finite(const std::vector<float>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        ASSERT_TRUE(std::isfinite(values[i])) << "value " << i << " is " << values[i];
    }
}

bool has_warning_containing(const UmapModel& model, const std::string& text) {
    return std::any_of(
        model.warnings.begin(), model.warnings.end(),
        [&](const std::string& warning) { return warning.find(text) != std::string::npos; });
}

UmapOptions quick_options() {
    UmapOptions options;
    options.jobs = 2;
    options.seed = 7;
    return options;
}

TEST(UmapFit, FewerThanTwoRowsIsAnError) {
    const std::vector<float> one_row = {1.0f, 2.0f, 3.0f};
    EXPECT_THROW(fit(one_row, 1, 3), Error);
    EXPECT_THROW(fit({}, 0, 3), Error);
}

TEST(UmapFit, SmallInputWarnsAndUsesAllOtherRows) {
    const std::size_t n = 10;
    const auto data = gaussian_blobs(n, 4, 2, 5.0, 1);
    const UmapModel model = fit(data, n, 4, quick_options());
    EXPECT_TRUE(has_warning_containing(model, "n_neighbors 15"));
    EXPECT_EQ(model.n_neighbors_used, 10);
    EXPECT_EQ(model.knn.k, 9);
    EXPECT_EQ(model.embedding.size(), n * 2);
    expect_finite(model.embedding);
}

TEST(UmapFit, TwoAndThreeRowsGiveFiniteMaps) {
    for (const std::size_t n : {2u, 3u}) {
        const auto data = gaussian_blobs(n, 3, 1, 1.0, n);
        const UmapModel model = fit(data, n, 3, quick_options());
        EXPECT_EQ(model.knn.k, static_cast<int>(n) - 1);
        expect_finite(model.embedding);
    }
}

// 30 identical rows of 100.
TEST(UmapFit, DuplicateRowsGiveFiniteOutput) {
    const std::size_t n = 100;
    const std::size_t d = 8;
    auto data = gaussian_blobs(n, d, 3, 4.0, 2);
    for (std::size_t i = 1; i < 30; ++i) {
        std::copy_n(data.begin(), d, data.begin() + static_cast<std::ptrdiff_t>(i * d));
    }
    const UmapModel model = fit(data, n, d, quick_options());
    expect_finite(model.embedding);
    neighbors::validate_knn_graph(model.knn, n, true);
}

// 4000 identical rows of 5000.
TEST(UmapFit, MostlyDuplicateRowsGiveFiniteOutput) {
    const std::size_t n = 5000;
    const std::size_t d = 6;
    auto data = gaussian_blobs(n, d, 4, 4.0, 3);
    for (std::size_t i = 1; i < 4000; ++i) {
        std::copy_n(data.begin(), d, data.begin() + static_cast<std::ptrdiff_t>(i * d));
    }
    // 200 epochs, as umap-learn uses above 10000 rows: every edge among the duplicates has
    // membership 1 and is sampled in every epoch, so 500 epochs cost 2.5 times as much.
    UmapOptions options = quick_options();
    options.n_epochs = 200;
    const UmapModel model = fit(data, n, d, options);
    expect_finite(model.embedding);
    neighbors::validate_knn_graph(model.knn, n, true);
    EXPECT_EQ(model.knn.row_distances(0).back(), 0.0f);
}

TEST(UmapFit, FarApartClustersStayApartWithWarning) {
    // Three clusters 1000 units apart with unit spread: no kNN edge joins two clusters.
    const std::size_t n = 900;
    const std::size_t d = 10;
    std::vector<int> labels;
    const auto data = gaussian_blobs(n, d, 3, 1000.0, 4, &labels);
    const UmapModel model = fit(data, n, d, quick_options());
    expect_finite(model.embedding);
    EXPECT_EQ(model.connected_components, 3u);
    EXPECT_TRUE(has_warning_containing(model, "3 connected components"));

    // Every point's 10 nearest embedded points belong to its own cluster.
    std::size_t mixed = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<std::pair<float, std::size_t>> order;
        for (std::size_t j = 0; j < n; ++j) {
            if (j != i) {
                const float dx = model.embedding[2 * i] - model.embedding[2 * j];
                const float dy = model.embedding[2 * i + 1] - model.embedding[2 * j + 1];
                order.emplace_back(dx * dx + dy * dy, j);
            }
        }
        std::partial_sort(order.begin(), order.begin() + 10, order.end());
        for (std::size_t r = 0; r < 10; ++r) {
            mixed += labels[order[r].second] != labels[i] ? 1 : 0;
        }
    }
    EXPECT_EQ(mixed, 0u);

    // The clusters' bounding boxes do not overlap.
    for (int a = 0; a < 3; ++a) {
        for (int b = a + 1; b < 3; ++b) {
            float low[2][2] = {{1e30f, 1e30f}, {1e30f, 1e30f}};
            float high[2][2] = {{-1e30f, -1e30f}, {-1e30f, -1e30f}};
            for (std::size_t i = 0; i < n; ++i) {
                const int which = labels[i] == a ? 0 : (labels[i] == b ? 1 : -1);
                if (which < 0) {
                    continue;
                }
                for (int c = 0; c < 2; ++c) {
                    low[which][c] = std::min(low[which][c], model.embedding[2 * i + c]);
                    high[which][c] = std::max(high[which][c], model.embedding[2 * i + c]);
                }
            }
            const bool overlap = low[0][0] <= high[1][0] && low[1][0] <= high[0][0] &&
                                 low[0][1] <= high[1][1] && low[1][1] <= high[0][1];
            EXPECT_FALSE(overlap) << "clusters " << a << " and " << b;
        }
    }
}

TEST(UmapFit, NaNIsRejectedNamingFileAndFrame) {
    const std::size_t n = 50;
    const std::size_t d = 4;
    auto data = gaussian_blobs(n, d, 2, 3.0, 5);
    data[17 * d + 3] = std::numeric_limits<float>::quiet_NaN();
    UmapOptions options = quick_options();
    options.row_label = [](std::size_t row) {
        return "file fan/train/section_00_0001.wav frame " + std::to_string(row + 100);
    };
    try {
        fit(data, n, d, options);
        FAIL() << "NaN accepted";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("fan/train/section_00_0001.wav frame 117"), std::string::npos)
            << message;
        EXPECT_NE(message.find("column 3"), std::string::npos) << message;
    }
}

TEST(UmapFit, InfinityIsRejected) {
    auto data = gaussian_blobs(40, 3, 2, 3.0, 6);
    data[5] = -std::numeric_limits<float>::infinity();
    EXPECT_THROW(fit(data, 40, 3, quick_options()), Error);
}

TEST(UmapFit, SeedAndOneThreadAreBitIdentical) {
    const std::size_t n = 700;
    const std::size_t d = 12;
    const auto data = gaussian_blobs(n, d, 4, 6.0, 8);
    for (const auto method : {neighbors::KnnMethod::exact, neighbors::KnnMethod::hnsw}) {
        UmapOptions options;
        options.jobs = 1;
        options.seed = 123;
        options.knn.method = method;
        const UmapModel first = fit(data, n, d, options);
        const UmapModel second = fit(data, n, d, options);
        EXPECT_EQ(first.embedding, second.embedding) << neighbors::to_string(method);
        EXPECT_EQ(first.knn.indices, second.knn.indices) << neighbors::to_string(method);
        options.seed = 124;
        const UmapModel other_seed = fit(data, n, d, options);
        EXPECT_NE(first.embedding, other_seed.embedding) << neighbors::to_string(method);
    }
}

TEST(UmapFit, SeparatesBlobsWithHighTrustworthiness) {
    const std::size_t n = 2000;
    const std::size_t d = 20;
    const auto data = gaussian_blobs(n, d, 5, 8.0, 9);
    const UmapModel model = fit(data, n, d, quick_options());
    EXPECT_EQ(model.n_epochs_used, 500);
    EXPECT_NEAR(model.a, 1.577, 1e-3);
    EXPECT_NEAR(model.b, 0.895, 1e-3);
    const MapQuality quality = map_quality(data, n, d, model.embedding, 2, 15, 2);
    // Separated blobs give a high value; random placement gives about 0.5.
    EXPECT_GT(quality.trustworthiness, 0.9);
}

TEST(UmapFit, OtherComponentsAndRandomInit) {
    const std::size_t n = 300;
    const std::size_t d = 5;
    const auto data = gaussian_blobs(n, d, 3, 6.0, 10);
    UmapOptions options = quick_options();
    options.n_components = 3;
    options.init = InitMethod::random;
    options.n_epochs = 50;
    const UmapModel model = fit(data, n, d, options);
    EXPECT_EQ(model.embedding.size(), n * 3);
    EXPECT_EQ(model.init_used, InitMethod::random);
    EXPECT_EQ(model.n_epochs_used, 50);
    expect_finite(model.embedding);
}

TEST(UmapOptions, InvalidValuesAreRejected) {
    const auto check = [](auto change) {
        UmapOptions options;
        change(options);
        EXPECT_THROW(validate_options(options), Error);
    };
    check([](UmapOptions& o) { o.n_neighbors = 1; });
    check([](UmapOptions& o) { o.n_components = 0; });
    check([](UmapOptions& o) { o.min_dist = -0.1f; });
    check([](UmapOptions& o) { o.min_dist = 2.0f; });  // above spread
    check([](UmapOptions& o) { o.spread = 0.0f; });
    check([](UmapOptions& o) { o.n_epochs = -1; });
    check([](UmapOptions& o) { o.learning_rate = 0.0f; });
    check([](UmapOptions& o) { o.negative_sample_rate = -1; });
    check([](UmapOptions& o) { o.set_op_mix_ratio = 1.5f; });
    check([](UmapOptions& o) { o.a = 1.0; });  // b left at 0
    EXPECT_NO_THROW(validate_options(UmapOptions{}));
    EXPECT_THROW(parse_init_method("pca"), Error);
}

TEST(UmapTransform, KeepsFittedEmbeddingAndPlacesNearNeighbours) {
    const std::size_t n = 1500;
    const std::size_t d = 10;
    std::vector<int> labels;
    const auto data = gaussian_blobs(n, d, 4, 8.0, 11, &labels);
    const UmapModel model = fit(data, n, d, quick_options());
    const std::vector<float> fitted = model.embedding;

    // New rows: fitted rows plus small noise, so each belongs next to its source row.
    const std::size_t n_new = 200;
    Rng rng(12);
    std::vector<float> queries(n_new * d);
    std::vector<std::size_t> sources(n_new);
    for (std::size_t i = 0; i < n_new; ++i) {
        sources[i] = static_cast<std::size_t>(rng.uniform_int(n));
        for (std::size_t j = 0; j < d; ++j) {
            queries[i * d + j] = data[sources[i] * d + j] + static_cast<float>(0.05 * rng.normal());
        }
    }
    const TransformResult result = transform(model, queries, n_new);
    EXPECT_EQ(model.embedding, fitted) << "transform moved the fitted map";
    ASSERT_EQ(result.embedding.size(), n_new * 2);
    expect_finite(result.embedding);
    EXPECT_EQ(result.knn.k, model.n_neighbors_used);
    neighbors::validate_knn_graph(result.knn, n, false);

    // Each new point lands in the cluster of its source row and next to the source's
    // embedded position. umap-learn 0.5.7 on data of this kind puts 90% of the new points
    // within 2% of the embedding's extent of their source; 5% leaves room for other seeds.
    float low[2] = {std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()};
    float high[2] = {-low[0], -low[1]};
    for (std::size_t j = 0; j < n; ++j) {
        for (std::size_t c = 0; c < 2; ++c) {
            low[c] = std::min(low[c], fitted[2 * j + c]);
            high[c] = std::max(high[c], fitted[2 * j + c]);
        }
    }
    const float extent = std::max(high[0] - low[0], high[1] - low[1]);
    std::size_t wrong_cluster = 0;
    std::size_t next_to_source = 0;
    for (std::size_t i = 0; i < n_new; ++i) {
        const float x = result.embedding[2 * i];
        const float y = result.embedding[2 * i + 1];
        std::size_t nearest = 0;
        float nearest_distance = std::numeric_limits<float>::infinity();
        for (std::size_t j = 0; j < n; ++j) {
            const float dx = fitted[2 * j] - x;
            const float dy = fitted[2 * j + 1] - y;
            if (dx * dx + dy * dy < nearest_distance) {
                nearest_distance = dx * dx + dy * dy;
                nearest = j;
            }
        }
        wrong_cluster += labels[nearest] != labels[sources[i]] ? 1 : 0;
        const float source_distance =
            std::hypot(x - fitted[2 * sources[i]], y - fitted[2 * sources[i] + 1]);
        next_to_source += source_distance <= 0.05f * extent ? 1 : 0;
    }
    EXPECT_EQ(wrong_cluster, 0u);
    EXPECT_GE(next_to_source, n_new * 9 / 10);
}

TEST(UmapTransform, RequiresKeptIndexAndMatchingWidth) {
    const std::size_t n = 100;
    const auto data = gaussian_blobs(n, 4, 2, 4.0, 13);
    UmapOptions options = quick_options();
    options.keep_index = false;
    const UmapModel without_index = fit(data, n, 4, options);
    EXPECT_FALSE(without_index.index.has_value());
    EXPECT_THROW(transform(without_index, data, n), Error);

    const UmapModel model = fit(data, n, 4, quick_options());
    EXPECT_THROW(transform(model, std::vector<float>(9, 0.0f), 3), Error);  // 3 columns
    std::vector<float> bad(4, 0.0f);
    bad[2] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_THROW(transform(model, bad, 1), Error);
    EXPECT_TRUE(transform(model, {}, 0).embedding.empty());
}

TEST(UmapTransform, SeedAndOneThreadAreBitIdentical) {
    const std::size_t n = 400;
    const auto data = gaussian_blobs(n, 6, 3, 5.0, 14);
    UmapOptions options;
    options.jobs = 1;
    options.seed = 5;
    const UmapModel model = fit(data, n, 6, options);
    const auto queries = gaussian_blobs(50, 6, 3, 5.0, 15);
    EXPECT_EQ(transform(model, queries, 50).embedding, transform(model, queries, 50).embedding);
}

}  // namespace
}  // namespace uadscope::umap
