#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"
#include "features/extract.h"

namespace uadscope::features {
namespace {

using ::testing::HasSubstr;

bool all_finite(const std::vector<float>& values) {
    return std::all_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); });
}

// Power spectrogram straight from the definitions, in double: pad n_fft / 2 zeros on both
// sides (numpy.pad, mode "constant"), take frame t at t * hop_length, window, naive DFT.
std::vector<double> reference_power(const std::vector<float>& samples, int n_fft, int hop_length) {
    const int half = n_fft / 2;
    std::vector<double> padded(samples.size() + 2 * static_cast<std::size_t>(half), 0.0);
    std::copy(samples.begin(), samples.end(), padded.begin() + half);
    const auto frames = 1 + (padded.size() - static_cast<std::size_t>(n_fft)) / hop_length;
    const int bins = n_fft / 2 + 1;
    std::vector<double> power(frames * bins);
    for (std::size_t t = 0; t < frames; ++t) {
        for (int k = 0; k < bins; ++k) {
            std::complex<double> sum = 0;
            for (int n = 0; n < n_fft; ++n) {
                const double window = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * n / n_fft);
                sum += window * padded[t * hop_length + n] *
                       std::polar(1.0, -2 * std::numbers::pi * k * n / n_fft);
            }
            power[t * bins + k] = std::norm(sum);
        }
    }
    return power;
}

TEST(FrameCount, OnePlusFloorOfSamplesOverHop) {
    EXPECT_EQ(frame_count(0, 512), 0);
    EXPECT_EQ(frame_count(1, 512), 1);
    EXPECT_EQ(frame_count(511, 512), 1);
    EXPECT_EQ(frame_count(512, 512), 2);
    EXPECT_EQ(frame_count(160000, 512), 313);  // 10 s at 16 kHz
    EXPECT_EQ(frame_count(192000, 512), 376);  // 12 s at 16 kHz
    EXPECT_THROW(frame_count(100, 0), Error);
}

TEST(PeriodicHann, MatchesScipyDefinition) {
    const auto window = periodic_hann(1024);
    ASSERT_EQ(window.size(), 1024u);
    EXPECT_EQ(window[0], 0.0);
    EXPECT_DOUBLE_EQ(window[512], 1.0);
    EXPECT_DOUBLE_EQ(window[256], 0.5);
    for (int n = 1; n < 1024; ++n) {
        // Periodic: symmetric about n = 512, not about (N - 1) / 2.
        EXPECT_NEAR(window[n], window[1024 - n], 1e-15) << n;
    }
}

TEST(PowerSpectrogram, MatchesNaiveDft) {
    Rng rng(7);
    std::vector<float> samples(1500);
    for (auto& value : samples) {
        value = static_cast<float>(rng.normal() * 0.3);
    }
    PowerSpectrogram spectrogram(64, 16);
    std::vector<float> power;
    spectrogram.compute(samples, power);
    const auto reference = reference_power(samples, 64, 16);
    ASSERT_EQ(power.size(), reference.size());
    ASSERT_EQ(power.size(), static_cast<std::size_t>(frame_count(1500, 16) * 33));
    for (std::size_t t = 0; t < power.size() / 33; ++t) {
        double frame_max = 0;
        for (int k = 0; k < 33; ++k) {
            frame_max = std::max(frame_max, reference[t * 33 + k]);
        }
        for (int k = 0; k < 33; ++k) {
            // Float input and float FFT: errors of a few float steps of the frame's peak.
            ASSERT_NEAR(power[t * 33 + k], reference[t * 33 + k], 1e-5 * frame_max)
                << "frame " << t << " bin " << k;
        }
    }
}

TEST(PowerSpectrogram, NonPowerOfTwoMatchesNaiveDft) {
    std::vector<float> samples(100);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        samples[i] = static_cast<float>(std::sin(0.3 * i) + 0.1);
    }
    PowerSpectrogram spectrogram(30, 7);
    std::vector<float> power;
    spectrogram.compute(samples, power);
    const auto reference = reference_power(samples, 30, 7);
    ASSERT_EQ(power.size(), reference.size());
    for (std::size_t i = 0; i < power.size(); ++i) {
        ASSERT_NEAR(power[i], reference[i], 1e-4 * (1 + reference[i])) << i;
    }
}

TEST(PowerSpectrogram, RejectsOddFftSize) {
    // With an odd n_fft, librosa's centred frames number 1 + (samples - 1) / hop_length.
    EXPECT_THROW(PowerSpectrogram(25, 10), Error);
}

TEST(PowerSpectrogram, DcInBinZero) {
    const std::vector<float> samples(16000, 1.0f);
    PowerSpectrogram spectrogram(1024, 512);
    std::vector<float> power;
    spectrogram.compute(samples, power);
    const std::size_t frame = 10 * 513;  // an interior frame, fully inside the signal
    // The periodic Hann spectrum has W[0] = N / 2 and W[+-1] = -N / 4 and zeros elsewhere.
    EXPECT_NEAR(power[frame + 0], 512.0 * 512.0, 512.0 * 512.0 * 1e-6);
    EXPECT_NEAR(power[frame + 1], 256.0 * 256.0, 256.0 * 256.0 * 1e-6);
    for (int k = 2; k < 513; ++k) {
        ASSERT_LT(power[frame + k], 1e-6 * 512.0 * 512.0) << k;
    }
}

TEST(PowerSpectrogram, NyquistInLastBin) {
    std::vector<float> samples(16000);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        samples[i] = i % 2 == 0 ? 1.0f : -1.0f;
    }
    PowerSpectrogram spectrogram(1024, 512);
    std::vector<float> power;
    spectrogram.compute(samples, power);
    const std::size_t frame = 10 * 513;
    EXPECT_NEAR(power[frame + 512], 512.0 * 512.0, 512.0 * 512.0 * 1e-6);
    EXPECT_NEAR(power[frame + 511], 256.0 * 256.0, 256.0 * 256.0 * 1e-6);
    for (int k = 0; k < 510; ++k) {
        ASSERT_LT(power[frame + k], 1e-6 * 512.0 * 512.0) << k;
    }
}

TEST(PowerSpectrogram, EmptyAndOneSample) {
    PowerSpectrogram spectrogram(1024, 512);
    std::vector<float> power(10, 1.0f);
    spectrogram.compute(std::vector<float>{}, power);
    EXPECT_TRUE(power.empty());

    // A single sample sits at the centre of frame 0, where the window is exactly 1, so its
    // spectrum is flat: |X[k]|^2 = 0.25 in every bin.
    spectrogram.compute(std::vector<float>{0.5f}, power);
    ASSERT_EQ(power.size(), 513u);
    for (const float value : power) {
        ASSERT_FLOAT_EQ(value, 0.25f);
    }
}

TEST(MelScale, SlaneyBreakpointsAndRoundTrip) {
    EXPECT_DOUBLE_EQ(hz_to_mel(0), 0.0);
    EXPECT_DOUBLE_EQ(hz_to_mel(1000), 15.0);
    EXPECT_DOUBLE_EQ(hz_to_mel(200), 3.0);
    EXPECT_NEAR(hz_to_mel(6400), 15.0 + 27.0, 1e-12);  // 27 mels per factor 6.4 above 1 kHz
    for (const double hz : {0.0, 50.0, 999.0, 1000.0, 1001.0, 4000.0, 8000.0, 22050.0}) {
        EXPECT_NEAR(mel_to_hz(hz_to_mel(hz)), hz, 1e-9 * (1 + hz)) << hz;
    }
    const auto edges = mel_frequencies(130, 0, 8000);
    ASSERT_EQ(edges.size(), 130u);
    EXPECT_EQ(edges.front(), 0.0);
    EXPECT_NEAR(edges.back(), 8000.0, 1e-9);
    EXPECT_TRUE(std::is_sorted(edges.begin(), edges.end()));
}

TEST(MelFilterBank, EqualsDenseProduct) {
    const MelFilterBank bank(16000, 1024, 128, 0, 8000);
    Rng rng(3);
    // 11 frames: one block of eight and a partial block of three.
    const std::size_t frames = 11;
    std::vector<float> power(frames * 513);
    for (auto& value : power) {
        value = static_cast<float>(rng.uniform01() * 10);
    }
    std::vector<float> mel(frames * 128);
    bank.apply(power, mel);
    for (std::size_t t = 0; t < frames; ++t) {
        for (std::size_t m = 0; m < 128; ++m) {
            double dense = 0;
            for (std::size_t k = 0; k < 513; ++k) {
                dense += static_cast<double>(bank.weights()[m * 513 + k]) * power[t * 513 + k];
            }
            // Float sums of at most a few dozen non-negative terms.
            ASSERT_NEAR(mel[t * 128 + m], dense, 1e-6 * dense) << "frame " << t << " filter " << m;
            ASSERT_GT(mel[t * 128 + m], 0.0f) << "filter " << m << " is empty";
        }
    }
    std::vector<float> none;
    bank.apply(none, none);
}

TEST(MelFilterBank, RejectsInvalidRange) {
    EXPECT_THROW(MelFilterBank(16000, 1024, 128, 8000, 8000), Error);
    EXPECT_THROW(MelFilterBank(16000, 1024, 0, 0, 8000), Error);
    EXPECT_THROW(MelFilterBank(16000, 1024, 128, -1, 8000), Error);
}

TEST(PowerToDb, WithinMicroDecibelOfLog10) {
    std::vector<float> values;
    std::vector<double> exact;
    Rng rng(11);
    for (int i = 0; i < 20000; ++i) {
        // Log-uniform over [1e-10, 1e10] with random mantissas.
        const auto value = static_cast<float>(std::pow(10.0, rng.uniform01() * 20 - 10));
        values.push_back(value);
    }
    for (const float value :
         {1.0f, 2.0f, 0.5f, 0.70710677f, 0.70710683f, 1.4142135f, 1e-10f, FLT_MIN, FLT_MAX}) {
        values.push_back(value);
    }
    for (const float value : values) {
        exact.push_back(10.0 * std::log10(static_cast<double>(value)));
    }
    DbOptions options;
    options.amin = FLT_MIN;
    options.top_db = std::numeric_limits<double>::infinity();
    power_to_db(values, options);
    for (std::size_t i = 0; i < values.size(); ++i) {
        // The float result itself is rounded to a few 1e-6 dB at +-100 dB.
        ASSERT_NEAR(values[i], exact[i], 2e-5 + 1e-7 * std::fabs(exact[i])) << i;
    }
}

TEST(PowerToDb, LibrosaFloorRefAndClamp) {
    std::vector<float> values = {1.0f, 1e-9f, 1e-12f, 0.0f, 100.0f};
    power_to_db(values, DbOptions{});
    // max is 20 dB, so the clamp is at -60 dB.
    EXPECT_NEAR(values[0], 0.0f, 1e-5);
    EXPECT_NEAR(values[1], -60.0f, 1e-5);
    EXPECT_NEAR(values[2], -60.0f, 1e-5);
    EXPECT_NEAR(values[3], -60.0f, 1e-5);
    EXPECT_NEAR(values[4], 20.0f, 1e-5);

    std::vector<float> unclamped = {1.0f, 1e-12f, 0.0f};
    DbOptions options;
    options.ref = 10.0;
    options.top_db = std::numeric_limits<double>::infinity();
    power_to_db(unclamped, options);
    EXPECT_NEAR(unclamped[0], -10.0f, 1e-5);
    EXPECT_NEAR(unclamped[1], -110.0f, 1e-4);  // amin floor 1e-10 is -100 dB, then -10 dB ref
    EXPECT_NEAR(unclamped[2], -110.0f, 1e-4);
}

TEST(PowerToDb, SilenceGivesFloorNotNan) {
    std::vector<float> values(100, 0.0f);
    power_to_db(values, DbOptions{});
    for (const float value : values) {
        ASSERT_NEAR(value, -100.0f, 1e-4);
    }
    std::vector<float> baseline(10, 0.0f);
    DbOptions options;
    options.scale = DbScale::dcase_baseline;
    power_to_db(baseline, options);
    for (const float value : baseline) {
        ASSERT_NEAR(value, 10.0 * std::log10(DBL_EPSILON), 1e-4);
    }
    std::vector<float> empty;
    power_to_db(empty, DbOptions{});
    EXPECT_TRUE(empty.empty());
}

TEST(PowerToDb, DcaseBaselineHasNoClamp) {
    std::vector<float> values = {100.0f, 1e-12f};
    DbOptions options;
    options.scale = DbScale::dcase_baseline;
    power_to_db(values, options);
    EXPECT_NEAR(values[0], 20.0f, 1e-5);
    EXPECT_NEAR(values[1], -120.0f, 1e-4);
}

TEST(PowerToDb, RejectsInvalidOptions) {
    std::vector<float> values = {1.0f};
    EXPECT_THROW(power_to_db(values, DbOptions{DbScale::librosa, 0.0, 1e-10, 80}), Error);
    EXPECT_THROW(power_to_db(values, DbOptions{DbScale::librosa, 1.0, 0.0, 80}), Error);
    EXPECT_THROW(power_to_db(values, DbOptions{DbScale::librosa, 1.0, 1e-10, 0}), Error);
    EXPECT_EQ(parse_db_scale("dcase_baseline"), DbScale::dcase_baseline);
    EXPECT_EQ(to_string(DbScale::librosa), "librosa");
    EXPECT_THROW(parse_db_scale("log"), Error);
}

FrameMatrix numbered_frames(std::int64_t frames, std::int64_t dims) {
    FrameMatrix matrix{frames, dims, {}};
    for (std::int64_t i = 0; i < frames * dims; ++i) {
        matrix.values.push_back(static_cast<float>(i));
    }
    return matrix;
}

TEST(StackFrames, ConcatenatesConsecutiveFrames) {
    const auto frames = numbered_frames(5, 2);  // frame t is {2t, 2t + 1}
    const auto stacked = stack_frames(frames, 3);
    EXPECT_EQ(stacked.frames, 3);
    EXPECT_EQ(stacked.dims, 6);
    ASSERT_EQ(stacked.values.size(), 18u);
    // Vector 1 is frames 1, 2, 3.
    const std::vector<float> second(stacked.values.begin() + 6, stacked.values.begin() + 12);
    EXPECT_EQ(second, (std::vector<float>{2, 3, 4, 5, 6, 7}));
    const std::vector<float> last(stacked.values.begin() + 12, stacked.values.end());
    EXPECT_EQ(last, (std::vector<float>{4, 5, 6, 7, 8, 9}));
}

TEST(StackFrames, OneIsIdentity) {
    const auto frames = numbered_frames(4, 3);
    const auto stacked = stack_frames(frames, 1);
    EXPECT_EQ(stacked.frames, 4);
    EXPECT_EQ(stacked.dims, 3);
    EXPECT_EQ(stacked.values, frames.values);
}

TEST(StackFrames, ShorterThanStackGivesNoVectors) {
    const auto stacked = stack_frames(numbered_frames(4, 3), 5);
    EXPECT_EQ(stacked.frames, 0);
    EXPECT_EQ(stacked.dims, 15);
    EXPECT_TRUE(stacked.values.empty());
    const auto exact = stack_frames(numbered_frames(5, 3), 5);
    EXPECT_EQ(exact.frames, 1);
    const auto empty = stack_frames(FrameMatrix{0, 128, {}}, 10);
    EXPECT_EQ(empty.frames, 0);
    EXPECT_EQ(empty.dims, 1280);
}

TEST(StackFrames, RejectsZeroStack) {
    try {
        stack_frames(numbered_frames(3, 1), 0);
        ADD_FAILURE() << "no Error for stack 0";
    } catch (const Error& error) {
        EXPECT_THAT(error.what(), HasSubstr("stack 0"));
    }
}

TEST(SpectrogramOptions, DefaultsAreValid) {
    const SpectrogramOptions options;
    EXPECT_NO_THROW(options.validate());
    EXPECT_EQ(options.n_fft, 1024);
    EXPECT_EQ(options.hop_length, 512);
    EXPECT_EQ(options.n_mels, 128);
    EXPECT_EQ(options.fmax, 8000);
}

TEST(SpectrogramOptions, RejectsEachInvalidValue) {
    struct Case {
        const char* text;
        void (*change)(SpectrogramOptions&);
    };
    const Case cases[] = {
        {"sample rate 100", [](SpectrogramOptions& o) { o.sample_rate = 100; }},
        {"n_fft 8", [](SpectrogramOptions& o) { o.n_fft = 8; }},
        {"n_fft 1025", [](SpectrogramOptions& o) { o.n_fft = 1025; }},
        {"hop_length 0", [](SpectrogramOptions& o) { o.hop_length = 0; }},
        {"hop_length 2048", [](SpectrogramOptions& o) { o.hop_length = 2048; }},
        {"n_mels 0", [](SpectrogramOptions& o) { o.n_mels = 0; }},
        {"fmax 9000", [](SpectrogramOptions& o) { o.fmax = 9000; }},
        {"fmin 8000", [](SpectrogramOptions& o) { o.fmin = 8000; }},
        {"ref 0", [](SpectrogramOptions& o) { o.ref = 0; }},
        {"amin 0", [](SpectrogramOptions& o) { o.amin = 0; }},
        {"top_db -1", [](SpectrogramOptions& o) { o.top_db = -1; }},
    };
    for (const auto& test_case : cases) {
        SpectrogramOptions options;
        test_case.change(options);
        try {
            options.validate();
            ADD_FAILURE() << "no Error for " << test_case.text;
        } catch (const Error& error) {
            EXPECT_THAT(error.what(), HasSubstr(test_case.text));
        }
        EXPECT_THROW(FeatureExtractor{options}, Error) << test_case.text;
    }
}

TEST(FeatureExtractor, EmptySignalHasNoFrames) {
    FeatureExtractor extractor{SpectrogramOptions{}};
    const auto features = extractor.compute(std::vector<float>{}, true, true);
    EXPECT_EQ(features.log_stft.frames, 0);
    EXPECT_EQ(features.log_stft.dims, 513);
    EXPECT_TRUE(features.log_stft.values.empty());
    EXPECT_EQ(features.log_mel.frames, 0);
    EXPECT_TRUE(features.energy.empty());
}

TEST(FeatureExtractor, OneSampleHasOneFlatFrame) {
    FeatureExtractor extractor{SpectrogramOptions{}};
    const auto features = extractor.compute(std::vector<float>{0.5f}, true, true);
    ASSERT_EQ(features.log_stft.frames, 1);
    ASSERT_EQ(features.energy.size(), 1u);
    EXPECT_FLOAT_EQ(features.energy[0], 513 * 0.25f);
    for (const float value : features.log_stft.values) {
        ASSERT_NEAR(value, 10 * std::log10(0.25), 1e-4);
    }
    EXPECT_EQ(features.log_mel.frames, 1);
    EXPECT_TRUE(all_finite(features.log_mel.values));
}

TEST(FeatureExtractor, SilenceIsFloorEverywhere) {
    FeatureExtractor extractor{SpectrogramOptions{}};
    const std::vector<float> silence(16000, 0.0f);
    const auto features = extractor.compute(silence, true, true);
    EXPECT_EQ(features.log_stft.frames, 32);
    EXPECT_EQ(features.log_mel.frames, 32);
    EXPECT_EQ(features.log_mel.dims, 128);
    for (const float value : features.log_stft.values) {
        ASSERT_NEAR(value, -100.0f, 1e-4);
    }
    for (const float value : features.log_mel.values) {
        ASSERT_NEAR(value, -100.0f, 1e-4);
    }
    for (const float value : features.energy) {
        ASSERT_EQ(value, 0.0f);
    }
}

TEST(FeatureExtractor, OnlyRequestedRepresentations) {
    FeatureExtractor extractor{SpectrogramOptions{}};
    const std::vector<float> samples(5000, 0.1f);
    const auto mel_only = extractor.compute(samples, false, true);
    EXPECT_TRUE(mel_only.log_stft.values.empty());
    EXPECT_EQ(mel_only.log_mel.frames, frame_count(5000, 512));
    EXPECT_EQ(mel_only.energy.size(), static_cast<std::size_t>(frame_count(5000, 512)));
    const auto stft_only = extractor.compute(samples, true, false);
    EXPECT_TRUE(stft_only.log_mel.values.empty());
    EXPECT_EQ(stft_only.log_stft.values.size(), static_cast<std::size_t>(10 * 513));
}

// A random signal whose second half is 60 dB quieter, so that the top_db clamp applies to some
// frames and not to others.
std::vector<float> loud_then_quiet(std::size_t size, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<float> samples(size);
    for (std::size_t i = 0; i < size; ++i) {
        samples[i] = rng.uniform(-1.0f, 1.0f) * (i < size / 2 ? 1.0f : 1e-3f);
    }
    return samples;
}

TEST(PowerSpectrogram, FramesInPiecesEqualWhole) {
    PowerSpectrogram spectrogram(1024, 512);
    const auto samples = loud_then_quiet(9000, 41);
    std::vector<float> whole;
    spectrogram.compute(samples, whole);
    const std::int64_t frames = frame_count(9000, 512);
    ASSERT_EQ(whole.size(), static_cast<std::size_t>(frames) * 513);
    std::vector<float> pieces(whole.size());
    for (std::int64_t first = 0; first < frames; first += 5) {
        const std::int64_t count = std::min<std::int64_t>(5, frames - first);
        spectrogram.compute_frames(
            samples, first, count,
            std::span<float>(pieces).subspan(static_cast<std::size_t>(first) * 513,
                                             static_cast<std::size_t>(count) * 513));
    }
    EXPECT_EQ(pieces, whole);
}

TEST(DbConverter, BlocksEqualWholeArray) {
    Rng rng(43);
    const std::size_t row_length = 37;
    const std::size_t rows = 23;
    std::vector<float> power(rows * row_length);
    for (auto& value : power) {
        // Log-uniform over [1e-14, 1e4], so some values fall below the floor and some below the
        // clamp.
        value = static_cast<float>(std::pow(10.0, rng.uniform01() * 18 - 14));
    }
    power[5] = 0.0f;

    DbOptions no_clamp;
    no_clamp.top_db = std::numeric_limits<double>::infinity();
    DbOptions baseline;
    baseline.scale = DbScale::dcase_baseline;
    DbOptions tight;
    tight.top_db = 20;
    for (const auto& options : {DbOptions{}, no_clamp, baseline, tight}) {
        SCOPED_TRACE(options.top_db);
        std::vector<float> whole(power.size());
        power_to_db(power, whole, options);
        std::vector<float> blocks(power.size());
        DbConverter converter(options);
        for (std::size_t first = 0; first < rows; first += 4) {
            const std::size_t count = std::min<std::size_t>(4, rows - first);
            converter.convert(
                std::span<const float>(power).subspan(first * row_length, count * row_length),
                std::span<float>(blocks).subspan(first * row_length, count * row_length),
                row_length);
        }
        converter.finish(blocks);
        EXPECT_EQ(blocks, whole);
    }
    EXPECT_THROW(DbConverter(DbOptions{DbScale::librosa, 1.0, 1e-10, 0}), Error);
}

TEST(FeatureExtractor, EqualsWholeFileSteps) {
    // compute() works on blocks of eight frames, and the reference runs every step on the whole
    // file as separate passes. Frame counts cover a partial first block, whole blocks and a
    // partial last block.
    for (const std::size_t size : {300, 3600, 4096, 4700, 8800, 20000}) {
        for (const auto scale : {DbScale::librosa, DbScale::dcase_baseline}) {
            SCOPED_TRACE(std::to_string(size) + " samples, " + std::string(to_string(scale)));
            SpectrogramOptions options;
            options.db = scale;
            FeatureExtractor extractor(options);
            const auto samples = loud_then_quiet(size, size);
            const auto features = extractor.compute(samples, true, true);

            PowerSpectrogram spectrogram(options.n_fft, options.hop_length);
            std::vector<float> power;
            spectrogram.compute(samples, power);
            const std::size_t frames = power.size() / 513;
            std::vector<float> energy;
            for (std::size_t t = 0; t < frames; ++t) {
                // Four partial sums in double, the order that FeatureExtractor documents.
                double sums[4] = {0, 0, 0, 0};
                for (std::size_t k = 0; k < 512; ++k) {
                    sums[k % 4] += power[t * 513 + k];
                }
                sums[0] += power[t * 513 + 512];
                energy.push_back(static_cast<float>((sums[0] + sums[1]) + (sums[2] + sums[3])));
            }
            const MelFilterBank bank(options.sample_rate, options.n_fft, options.n_mels,
                                     options.fmin, options.fmax);
            std::vector<float> mel(frames * 128);
            bank.apply(power, mel);
            power_to_db(mel, options.db_options());
            std::vector<float> log_stft(power.size());
            power_to_db(power, log_stft, options.db_options());

            EXPECT_EQ(features.energy, energy);
            EXPECT_EQ(features.log_mel.values, mel);
            EXPECT_EQ(features.log_stft.values, log_stft);
        }
    }
}

TEST(FeatureExtractor, ThreadsGiveSameBitsAsOneThread) {
    Rng rng(5);
    std::vector<std::vector<float>> signals(6, std::vector<float>(20000));
    for (auto& signal : signals) {
        for (auto& value : signal) {
            value = rng.uniform(-1.0f, 1.0f);
        }
    }
    std::vector<FileFeatures> serial;
    FeatureExtractor extractor{SpectrogramOptions{}};
    for (const auto& signal : signals) {
        serial.push_back(extractor.compute(signal, true, true));
    }
    std::vector<FileFeatures> threaded(signals.size());
    parallel_for(signals.size(), 2, [&](std::size_t i, int) {
        // A fresh extractor per item makes the two threads plan FFTW concurrently.
        FeatureExtractor own{SpectrogramOptions{}};
        threaded[i] = own.compute(signals[i], true, true);
    });
    for (std::size_t i = 0; i < signals.size(); ++i) {
        EXPECT_EQ(threaded[i].log_stft.values, serial[i].log_stft.values) << i;
        EXPECT_EQ(threaded[i].log_mel.values, serial[i].log_mel.values) << i;
        EXPECT_EQ(threaded[i].energy, serial[i].energy) << i;
    }
}

}  // namespace
}  // namespace uadscope::features
