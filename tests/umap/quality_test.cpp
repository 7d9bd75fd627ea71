// Tests of trustworthiness and kNN preservation, against scikit-learn when available.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/paths.h"
#include "core/error.h"
#include "core/random.h"
#include "umap/quality.h"
#include "umap/test_data.h"

namespace uadscope::umap {
namespace {

using test_data::gaussian_blobs;

void write_floats(const std::filesystem::path& path, const std::vector<float>& values) {
    std::ofstream file(path, std::ios::binary);
    file.write(reinterpret_cast<const char*>(values.data()),
               static_cast<std::streamsize>(values.size() * sizeof(float)));
}

// Runs a Python snippet with Debian's interpreter and returns its standard output; empty
// when the interpreter or scikit-learn is missing.
std::string run_python(const std::string& script) {
    if (!std::filesystem::exists("/usr/bin/python3")) {
        return {};
    }
    const std::string command = "/usr/bin/python3 -c '" + script + "' 2>/dev/null";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return {};
    }
    std::string output;
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
        output += buffer;
    }
    const int status = ::pclose(pipe);
    return status == 0 ? output : std::string();
}

TEST(MapQuality, MatchesScikitLearnTrustworthiness) {
    const std::size_t n = 400;
    const std::size_t d = 12;
    const auto data = gaussian_blobs(n, d, 4, 3.0, 21);
    // A noisy projection onto two input columns: neither perfect nor random.
    Rng rng(22);
    std::vector<float> embedding(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        embedding[2 * i] = data[i * d] + static_cast<float>(rng.normal());
        embedding[2 * i + 1] = data[i * d + 1] + static_cast<float>(rng.normal());
    }
    const auto folder = uadscope::testing::fresh_temp_dir("quality");
    write_floats(folder / "x.bin", data);
    write_floats(folder / "e.bin", embedding);
    const std::string script =
        "import numpy as np\n"
        "from sklearn.manifold import trustworthiness\n"
        "from sklearn.neighbors import NearestNeighbors\n"
        "x = np.fromfile(\"" +
        (folder / "x.bin").string() + "\", dtype=np.float32).reshape(" + std::to_string(n) + ", " +
        std::to_string(d) +
        ")\n"
        "e = np.fromfile(\"" +
        (folder / "e.bin").string() + "\", dtype=np.float32).reshape(" + std::to_string(n) +
        ", 2)\n"
        "a = NearestNeighbors(n_neighbors=15).fit(x).kneighbors(return_distance=False)\n"
        "b = NearestNeighbors(n_neighbors=15).fit(e).kneighbors(return_distance=False)\n"
        "p = np.mean([len(set(u) & set(v)) / 15 for u, v in zip(a, b)])\n"
        "print(repr(trustworthiness(x, e, n_neighbors=15)), repr(p))\n";
    const std::string output = run_python(script);
    std::filesystem::remove_all(folder);
    if (output.empty()) {
        GTEST_SKIP() << "/usr/bin/python3 with scikit-learn not available: comparison skipped";
    }
    double expected_trustworthiness = 0.0;
    double expected_preservation = 0.0;
    ASSERT_EQ(
        std::sscanf(output.c_str(), "%lf %lf", &expected_trustworthiness, &expected_preservation),
        2)
        << output;

    const MapQuality quality = map_quality(data, n, d, embedding, 2, 15, 2);
    // Same definition and double-precision distances: only the summation order differs.
    EXPECT_NEAR(quality.trustworthiness, expected_trustworthiness, 1e-9);
    EXPECT_NEAR(quality.knn_preservation, expected_preservation, 1e-9);
    EXPECT_EQ(quality.rows, n);
}

TEST(MapQuality, IdentityEmbeddingIsPerfect) {
    const std::size_t n = 300;
    const auto data = gaussian_blobs(n, 2, 3, 5.0, 23);
    const MapQuality quality = map_quality(data, n, 2, data, 2);
    EXPECT_DOUBLE_EQ(quality.trustworthiness, 1.0);
    EXPECT_DOUBLE_EQ(quality.knn_preservation, 1.0);
}

TEST(MapQuality, RandomEmbeddingIsNearOneHalf) {
    const std::size_t n = 600;
    const auto data = gaussian_blobs(n, 10, 1, 0.0, 24);
    Rng rng(25);
    std::vector<float> embedding(n * 2);
    for (auto& value : embedding) {
        value = static_cast<float>(rng.uniform01());
    }
    const MapQuality quality = map_quality(data, n, 10, embedding, 2);
    // Expected 0.5 for unrelated rankings; 600 rows leave a spread of about 0.01.
    EXPECT_NEAR(quality.trustworthiness, 0.5, 0.03);
    EXPECT_LT(quality.knn_preservation, 0.1);
}

TEST(MapQuality, SubsamplesEveryStepThRow) {
    const std::size_t n = 1000;
    const auto data = gaussian_blobs(n, 3, 2, 4.0, 26);
    std::vector<float> embedding(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        embedding[2 * i] = data[3 * i];
        embedding[2 * i + 1] = data[3 * i + 1];
    }
    const MapQuality sub = map_quality_subsampled(data, n, 3, embedding, 2, 15, 300);
    EXPECT_EQ(sub.step, 3u);
    EXPECT_EQ(sub.rows, 334u);  // rows 0, 3, ..., 999

    std::vector<float> every_third_data;
    std::vector<float> every_third_embedding;
    for (std::size_t i = 0; i < n; i += 3) {
        every_third_data.insert(every_third_data.end(), data.begin() + 3 * i,
                                data.begin() + 3 * i + 3);
        every_third_embedding.insert(every_third_embedding.end(), embedding.begin() + 2 * i,
                                     embedding.begin() + 2 * i + 2);
    }
    const MapQuality direct = map_quality(every_third_data, 334, 3, every_third_embedding, 2);
    EXPECT_DOUBLE_EQ(sub.trustworthiness, direct.trustworthiness);
    EXPECT_DOUBLE_EQ(sub.knn_preservation, direct.knn_preservation);
}

TEST(MapQuality, RejectsTooFewRows) {
    const std::vector<float> data(20 * 2, 0.0f);
    EXPECT_THROW(map_quality(data, 20, 2, data, 2, 10), Error);  // k must be below n / 2
}

}  // namespace
}  // namespace uadscope::umap
