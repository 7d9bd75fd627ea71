// Map quality on real features against umap-learn's reference values: uadscope's map of the
// same input must reach umap-learn's mean trustworthiness and kNN preservation within 0.01
// (higher is fine).
//
// The inputs are rebuilt from the recordings with the features module: every .wav of the
// case's folder in sorted order, log-STFT or log-mel (absmax-normalised, librosa
// power_to_db), frames stacked per file. Skipped when the shared folder is absent.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "audio/audio.h"
#include "common/paths.h"
#include "core/log.h"
#include "features/extract.h"
#include "umap/quality.h"
#include "umap/umap.h"

namespace uadscope::umap {
namespace {

// Quality may fall short of umap-learn's mean by at most this much.
constexpr double quality_tolerance = 0.01;

struct FixtureInput {
    std::vector<float> rows;
    std::size_t n = 0;
    std::size_t d = 0;
};

// The stacked feature vectors of the case's files, in the order of reference.json.
FixtureInput build_input(const std::filesystem::path& data_dir, const nlohmann::json& fixture) {
    const std::string representation = fixture.at("representation");
    const int stack = fixture.at("stack");
    const bool log_stft = representation == "log_stft";
    features::FeatureExtractor extractor{features::SpectrogramOptions{}};
    FixtureInput input;
    for (const std::string relative : fixture.at("files")) {
        const std::vector<float> samples = audio::load_audio(data_dir / relative);
        const features::FileFeatures computed = extractor.compute(samples, log_stft, !log_stft);
        const features::FrameMatrix stacked =
            features::stack_frames(log_stft ? computed.log_stft : computed.log_mel, stack);
        input.d = static_cast<std::size_t>(stacked.dims);
        input.n += static_cast<std::size_t>(stacked.frames);
        input.rows.insert(input.rows.end(), stacked.values.begin(), stacked.values.end());
    }
    return input;
}

class UmapFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(UmapFixture, QualityMatchesUmapLearn) {
    UADSCOPE_REQUIRE_SHARED(shared);
    const auto reference_path = shared / "fixtures" / "umap" / "reference.json";
    std::ifstream reference_file(reference_path);
    ASSERT_TRUE(reference_file) << "cannot read " << reference_path;
    const nlohmann::json reference = nlohmann::json::parse(reference_file);
    const nlohmann::json& fixture = reference.at("cases").at(GetParam());

    const FixtureInput input = build_input(shared / "data", fixture);
    ASSERT_EQ(input.n, fixture.at("rows").get<std::size_t>());
    ASSERT_EQ(input.d, fixture.at("dims").get<std::size_t>());

    UmapOptions options;  // umap-learn defaults: n_neighbors 15, min_dist 0.1
    options.seed = 0;
    const auto start = std::chrono::steady_clock::now();
    const UmapModel model = fit(input.rows, input.n, input.d, options);
    const double fit_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const MapQuality quality =
        map_quality_subsampled(input.rows, input.n, input.d, model.embedding, 2);
    EXPECT_EQ(quality.step, fixture.at("metric_step").get<std::size_t>());
    EXPECT_EQ(quality.rows, fixture.at("metric_rows").get<std::size_t>());
    const double reference_trustworthiness = fixture.at("trustworthiness_mean");
    const double reference_preservation = fixture.at("knn_preservation_mean");
    spdlog::info(
        "{}: uadscope trustworthiness {:.4f}, kNN preservation {:.4f} (umap-learn "
        "{:.4f}, {:.4f}); fit {:.1f} s on {} threads",
        GetParam(), quality.trustworthiness, quality.knn_preservation, reference_trustworthiness,
        reference_preservation, fit_seconds, model.options.jobs);
    EXPECT_GE(quality.trustworthiness, reference_trustworthiness - quality_tolerance);
    EXPECT_GE(quality.knn_preservation, reference_preservation - quality_tolerance);
}

INSTANTIATE_TEST_SUITE_P(Cases, UmapFixture,
                         ::testing::Values("dcase2020_logstft_stack1", "dcase2023_logmel_stack5"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                             return std::string(info.param);
                         });

}  // namespace
}  // namespace uadscope::umap
