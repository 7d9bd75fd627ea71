// Features of real recordings and of generated files, compared with librosa 0.10 reference
// arrays and with the frequencies the files were generated with.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

#include "audio/audio.h"
#include "audio/wav_writer.h"
#include "common/paths.h"
#include "features/extract.h"
#include "store/npy.h"

namespace uadscope::features {
namespace {

struct Difference {
    double max_abs = 0;
    std::int64_t frame = -1;
    std::int64_t bin = -1;
};

// Largest |ours - reference| between a [frames, dims] matrix and a librosa [dims, frames] one.
Difference compare_transposed(const FrameMatrix& ours, const store::NpyArray& reference) {
    Difference worst;
    const auto dims = reference.shape.at(0);
    const auto frames = reference.shape.at(1);
    for (std::int64_t d = 0; d < dims; ++d) {
        for (std::int64_t t = 0; t < frames; ++t) {
            const double difference =
                std::fabs(ours.values[t * ours.dims + d] - reference.values[d * frames + t]);
            if (difference > worst.max_abs) {
                worst = {difference, t, d};
            }
        }
    }
    return worst;
}

TEST(LibrosaParity, MelBasisEqualsLibrosa) {
    UADSCOPE_REQUIRE_SHARED(shared);
    const auto reference =
        store::read_npy(shared / "fixtures/librosa/mel_basis_sr16000_nfft1024_nmels128.npy");
    ASSERT_EQ(reference.shape, (std::vector<std::int64_t>{128, 513}));
    const MelFilterBank bank(16000, 1024, 128, 0, 8000);
    ASSERT_EQ(bank.weights().size(), reference.values.size());
    double max_relative = 0;
    for (std::size_t i = 0; i < reference.values.size(); ++i) {
        const double expected = reference.values[i];
        const double actual = bank.weights()[i];
        ASSERT_EQ(actual == 0, expected == 0) << "zero pattern differs at " << i;
        if (expected != 0) {
            max_relative = std::max(max_relative, std::fabs(actual - expected) / expected);
        }
    }
    // Both are float32 roundings of the same float64 formula. glibc's and numpy's log and exp
    // may differ in the last bit, which can move a weight by a float step or two (6e-8
    // relative each).
    EXPECT_LE(max_relative, 2.5e-7);
}

class LibrosaFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(LibrosaFixture, WaveformAndEveryBinMatch) {
    UADSCOPE_REQUIRE_SHARED(shared);
    const auto fixtures = shared / "fixtures/librosa";
    std::ifstream stream(fixtures / "reference.json");
    const auto reference = nlohmann::json::parse(stream);
    const std::string key = GetParam();
    const auto entry = reference.at("files").at(key);
    const auto path = shared / "data" / entry.at("file").get<std::string>();

    // Waveform: librosa's float32 mean, subtraction and division against the same steps with
    // double accumulation; 1e-6 is about 16 float steps at full scale.
    const auto samples = audio::load_audio(path);
    const auto y_norm = store::read_npy(fixtures / (key + "_y_norm.npy"));
    ASSERT_EQ(samples.size(), y_norm.values.size());
    double max_sample_difference = 0;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        max_sample_difference =
            std::max(max_sample_difference, std::fabs(samples[i] - y_norm.values[i]));
    }
    EXPECT_LE(max_sample_difference, 1e-6);

    FeatureExtractor extractor{SpectrogramOptions{}};
    const auto features = extractor.compute(samples, true, true);
    const auto log_stft = store::read_npy(fixtures / (key + "_logstft_db.npy"));
    const auto log_mel = store::read_npy(fixtures / (key + "_logmel_db.npy"));
    ASSERT_EQ(log_stft.shape, (std::vector<std::int64_t>{513, features.log_stft.frames}));
    ASSERT_EQ(log_mel.shape, (std::vector<std::int64_t>{128, features.log_mel.frames}));
    EXPECT_EQ(features.log_stft.frames, entry.at("frames").get<std::int64_t>());

    // librosa's own float32 result differs from float64 by up to 0.002 dB (log-STFT) on these
    // files, so 0.01 dB on every bin leaves room for our float FFT and nothing more.
    const auto stft_difference = compare_transposed(features.log_stft, log_stft);
    EXPECT_LE(stft_difference.max_abs, 0.01)
        << "log-STFT frame " << stft_difference.frame << " bin " << stft_difference.bin;
    const auto mel_difference = compare_transposed(features.log_mel, log_mel);
    EXPECT_LE(mel_difference.max_abs, 0.01)
        << "log-mel frame " << mel_difference.frame << " bin " << mel_difference.bin;
    RecordProperty("max_sample_difference", fmt::format("{:.3g}", max_sample_difference));
    RecordProperty("max_log_stft_difference_db", fmt::format("{:.3g}", stft_difference.max_abs));
    RecordProperty("max_log_mel_difference_db", fmt::format("{:.3g}", mel_difference.max_abs));
}

INSTANTIATE_TEST_SUITE_P(RealFiles, LibrosaFixture,
                         ::testing::Values("dcase2023_toycar_train",
                                           "dcase2023_valve_target_anomaly",
                                           "dcase2020_fan_anomaly", "mimii_fan_8ch_extensible",
                                           "odd_stereo_recorded"));

// Index of the largest mean power over the interior frames, and that power.
std::pair<int, double> peak_bin(const FrameMatrix& log_stft) {
    std::vector<double> mean(static_cast<std::size_t>(log_stft.dims), 0.0);
    for (std::int64_t t = 4; t < log_stft.frames - 4; ++t) {
        for (std::int64_t k = 0; k < log_stft.dims; ++k) {
            mean[k] += std::pow(10.0, log_stft.values[t * log_stft.dims + k] / 10.0);
        }
    }
    const auto peak = std::max_element(mean.begin(), mean.end());
    return {static_cast<int>(peak - mean.begin()), *peak};
}

struct SineCase {
    int sample_rate;
    double frequency;  // Hz; a multiple of 16000 / 1024 = 15.625 Hz lands on bin frequency / 15.625
};

class ResampledSine : public ::testing::TestWithParam<SineCase> {};

TEST_P(ResampledSine, LandsOnExpectedBin) {
    const auto [sample_rate, frequency] = GetParam();
    const auto dir = uadscope::testing::fresh_temp_dir("sine-" + std::to_string(sample_rate));
    // Two seconds of the tone at half scale, plus a quieter tone above the 8 kHz output Nyquist
    // frequency (9.5 kHz for 22.05 kHz input, 12 kHz otherwise). Resampling must remove that
    // tone instead of folding it back below 8 kHz.
    const double alias_hz = sample_rate == 22050 ? 9500.0 : 12000.0;
    const auto count = 2 * sample_rate;
    auto tone = uadscope::testing::sine_pcm(frequency, sample_rate, count, 0.5, 32767);
    const auto high = uadscope::testing::sine_pcm(alias_hz, sample_rate, count, 0.25, 32767);
    for (std::size_t i = 0; i < tone.size(); ++i) {
        tone[i] += high[i];
    }
    const auto path = dir / "sine.wav";
    uadscope::testing::write_bytes(path, uadscope::testing::pcm_wav(tone, 1, sample_rate, 16));

    const auto samples = audio::load_audio(path);
    EXPECT_EQ(samples.size(), 32000u);
    FeatureExtractor extractor{SpectrogramOptions{}};
    const auto features = extractor.compute(samples, true, false);
    const auto [bin, power] = peak_bin(features.log_stft);
    EXPECT_EQ(bin, static_cast<int>(frequency / 15.625));

    // The folded image of the high tone would be at 16000 - alias_hz Hz. soxr's very high
    // quality filter must put it more than 75 dB below the tone.
    const int image_bin = static_cast<int>(std::lround((16000 - alias_hz) / 15.625));
    std::vector<double> image_db;
    for (std::int64_t t = 4; t < features.log_stft.frames - 4; ++t) {
        image_db.push_back(features.log_stft.values[t * 513 + image_bin]);
    }
    const double loudest_image = *std::max_element(image_db.begin(), image_db.end());
    EXPECT_LT(loudest_image, 10 * std::log10(power / (features.log_stft.frames - 8)) - 75)
        << "aliased tone at bin " << image_bin;
    std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Rates, ResampledSine,
                         ::testing::Values(SineCase{48000, 1000.0}, SineCase{44100, 2500.0},
                                           SineCase{22050, 5500.0}),
                         [](const auto& info) { return std::to_string(info.param.sample_rate); });

TEST(RealData, SilentFileGivesFiniteFeatures) {
    // Digital silence through the whole chain: load (kept, logged), STFT, mel, dB.
    const auto dir = uadscope::testing::fresh_temp_dir("silence-features");
    const auto path = dir / "silence.wav";
    uadscope::testing::write_bytes(
        path, uadscope::testing::pcm_wav(std::vector<std::int32_t>(48000, 0), 1, 48000, 24));
    const auto samples = audio::load_audio(path);
    FeatureExtractor extractor{SpectrogramOptions{}};
    const auto features = extractor.compute(samples, true, true);
    EXPECT_EQ(features.log_mel.frames, 32);
    for (const float value : features.log_mel.values) {
        ASSERT_TRUE(std::isfinite(value));
        ASSERT_NEAR(value, -100.0f, 1e-4);
    }
    for (const float value : features.log_stft.values) {
        ASSERT_TRUE(std::isfinite(value));
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace uadscope::features
