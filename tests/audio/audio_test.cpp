#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sndfile.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "audio/audio.h"
#include "audio/sample_summary.h"
#include "audio/wav_writer.h"
#include "common/paths.h"
#include "core/error.h"
#include "core/random.h"

namespace uadscope::audio {
namespace {

using ::testing::HasSubstr;
using uadscope::testing::append_le;
using uadscope::testing::float_bytes;
using uadscope::testing::fmt_body;
using uadscope::testing::pcm_bytes;
using uadscope::testing::pcm_wav;
using uadscope::testing::riff_chunk;
using uadscope::testing::riff_wave;
using uadscope::testing::write_bytes;

class AudioFiles : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = uadscope::testing::fresh_temp_dir(std::string("audio-") + info->name());
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::filesystem::path write(const std::string& name, const std::string& bytes) {
        const auto path = dir_ / name;
        write_bytes(path, bytes);
        return path;
    }

    std::filesystem::path dir_;
};

// Raw decoded samples: no resampling, no mean removal, no normalisation.
LoadOptions raw_options(int sample_rate = 16000) {
    LoadOptions options;
    options.sample_rate = sample_rate;
    options.normalization = Normalization::none;
    options.remove_mean = false;
    return options;
}

// Expects that calling `function` throws Error whose message contains `path`.
template <typename Function>
void expect_error_naming(const std::filesystem::path& path, Function&& function,
                         const std::string& also = "") {
    try {
        function();
        ADD_FAILURE() << "no Error thrown for " << path;
    } catch (const Error& error) {
        EXPECT_THAT(error.what(), HasSubstr(path.string()));
        EXPECT_THAT(error.what(), HasSubstr(also));
    }
}

TEST(Normalization, ParsesAndPrintsEveryName) {
    for (const auto normalization :
         {Normalization::none, Normalization::std, Normalization::absmax}) {
        EXPECT_EQ(parse_normalization(to_string(normalization)), normalization);
    }
    EXPECT_EQ(to_string(Normalization::absmax), "absmax");
}

TEST(Normalization, RejectsUnknownName) {
    try {
        parse_normalization("peak");
        ADD_FAILURE() << "no Error for 'peak'";
    } catch (const Error& error) {
        EXPECT_THAT(error.what(), HasSubstr("'peak'"));
        EXPECT_THAT(error.what(), HasSubstr("absmax"));
    }
}

TEST(Normalization, AbsmaxMakesPeakOne) {
    std::vector<float> samples = {0.5f, -2.0f, 1.0f};
    EXPECT_TRUE(normalize(samples, Normalization::absmax));
    EXPECT_FLOAT_EQ(samples[0], 0.25f);
    EXPECT_FLOAT_EQ(samples[1], -1.0f);
    EXPECT_FLOAT_EQ(samples[2], 0.5f);
}

TEST(Normalization, StdMakesUnitDeviation) {
    std::vector<float> samples = {1.0f, -1.0f, 3.0f, -3.0f};
    EXPECT_TRUE(normalize(samples, Normalization::std));
    // Population deviation of the input is sqrt(5).
    EXPECT_FLOAT_EQ(samples[2], static_cast<float>(3.0 / std::sqrt(5.0)));
    double squares = 0;
    for (const float value : samples) {
        squares += value * value;
    }
    EXPECT_NEAR(squares / 4.0, 1.0, 1e-6);
}

TEST(Normalization, SilenceAndEmptyStayUnchanged) {
    std::vector<float> silence(10, 0.0f);
    EXPECT_FALSE(normalize(silence, Normalization::absmax));
    EXPECT_FALSE(normalize(silence, Normalization::std));
    EXPECT_TRUE(std::all_of(silence.begin(), silence.end(), [](float v) { return v == 0.0f; }));
    std::vector<float> empty;
    EXPECT_FALSE(normalize(empty, Normalization::absmax));
    EXPECT_TRUE(normalize(empty, Normalization::none));
}

TEST(RemoveMean, SubtractsMeanAndKeepsEmpty) {
    std::vector<float> samples = {1.0f, 2.0f, 3.0f, 6.0f};
    remove_mean(samples);
    EXPECT_FLOAT_EQ(samples[0], -2.0f);
    EXPECT_FLOAT_EQ(samples[3], 3.0f);
    std::vector<float> empty;
    remove_mean(empty);
    EXPECT_TRUE(empty.empty());
    std::vector<float> single = {5.0f};
    remove_mean(single);
    EXPECT_EQ(single[0], 0.0f);
}

TEST(Resample, LengthIsRoundedUpRatio) {
    std::vector<float> input(48000, 0.25f);
    EXPECT_EQ(resample(input, 48000, 16000).size(), 16000u);
    std::vector<float> odd(44101, 0.0f);
    // ceil(44101 * 16000 / 44100) = 16001
    EXPECT_EQ(resample(odd, 44100, 16000).size(), 16001u);
    EXPECT_TRUE(resample(std::vector<float>{}, 48000, 16000).empty());
    // soxr alone returns round(1 / 3) = 0 samples here.
    EXPECT_EQ(resample(std::vector<float>{0.5f}, 48000, 16000).size(), 1u);
    EXPECT_EQ(resample(input, 16000, 16000), input);
    EXPECT_THROW(resample(input, 0, 16000), Error);
}

TEST(Resample, KeepsDcLevel) {
    // A constant 0.25 stays 0.25 away from the edges, where the filter spans only signal samples.
    std::vector<float> input(22050, 0.25f);
    const auto output = resample(input, 22050, 16000);
    for (std::size_t i = 2000; i < output.size() - 2000; ++i) {
        ASSERT_NEAR(output[i], 0.25f, 1e-5f) << "sample " << i;
    }
}

TEST_F(AudioFiles, Pcm8IsUnsigned) {
    const auto path = write("u8.wav", pcm_wav({-128, -1, 0, 64, 127}, 1, 16000, 8));
    const auto samples = load_audio(path, raw_options());
    ASSERT_EQ(samples.size(), 5u);
    EXPECT_EQ(samples[0], -1.0f);
    EXPECT_EQ(samples[1], -1.0f / 128);
    EXPECT_EQ(samples[2], 0.0f);
    EXPECT_EQ(samples[3], 0.5f);
    EXPECT_EQ(samples[4], 127.0f / 128);
}

TEST_F(AudioFiles, Pcm16ScalesBy32768) {
    const auto path = write("s16.wav", pcm_wav({-32768, -1, 0, 16384, 32767}, 1, 16000, 16));
    const auto samples = load_audio(path, raw_options());
    ASSERT_EQ(samples.size(), 5u);
    EXPECT_EQ(samples[0], -1.0f);
    EXPECT_EQ(samples[1], -1.0f / 32768);
    EXPECT_EQ(samples[3], 0.5f);
    EXPECT_EQ(samples[4], 32767.0f / 32768);
}

TEST_F(AudioFiles, Pcm24ScalesBy2To23) {
    const std::vector<std::int32_t> values = {-8388608, -1, 0, 4194304, 8388607, 12345};
    const auto path = write("s24.wav", pcm_wav(values, 1, 16000, 24));
    const auto samples = load_audio(path, raw_options());
    ASSERT_EQ(samples.size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        // 24-bit values are exact in float.
        EXPECT_EQ(samples[i], static_cast<float>(values[i] / 8388608.0)) << "sample " << i;
    }
}

TEST_F(AudioFiles, Pcm32ScalesBy2To31) {
    const std::vector<std::int32_t> values = {
        std::numeric_limits<std::int32_t>::min(), -1,       0, 1 << 30,
        std::numeric_limits<std::int32_t>::max(), 123456789};
    const auto path = write("s32.wav", pcm_wav(values, 1, 16000, 32));
    const auto samples = load_audio(path, raw_options());
    ASSERT_EQ(samples.size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        // 32-bit values keep 24 significant bits in float: allow one float step of 2^-23.
        EXPECT_NEAR(samples[i], values[i] / 2147483648.0, 1.2e-7) << "sample " << i;
    }
    EXPECT_EQ(samples[3], 0.5f);
}

TEST_F(AudioFiles, Float32BeyondUnitPassesThrough) {
    const std::vector<float> values = {3.5f, -2.25f, 0.125f, 1e-3f, -7.0f};
    const auto bytes = riff_wave(
        riff_chunk("fmt ", fmt_body(uadscope::testing::wave_format_ieee_float, 1, 16000, 32)) +
        riff_chunk("data", float_bytes(values)));
    const auto path = write("f32.wav", bytes);
    const auto samples = load_audio(path, raw_options());
    EXPECT_EQ(samples, values);
}

TEST_F(AudioFiles, Float32NanRejectedNamingFile) {
    const std::vector<float> values = {0.5f, std::numeric_limits<float>::quiet_NaN(), 0.0f};
    const auto bytes = riff_wave(
        riff_chunk("fmt ", fmt_body(uadscope::testing::wave_format_ieee_float, 1, 16000, 32)) +
        riff_chunk("data", float_bytes(values)));
    const auto path = write("nan.wav", bytes);
    expect_error_naming(
        path, [&] { load_audio(path); }, "sample 1");
}

TEST_F(AudioFiles, ExtensibleEqualsPlainTwin) {
    std::vector<std::int32_t> values;
    for (int i = 0; i < 300; ++i) {
        values.push_back((i * 104729) % 16777216 - 8388608);
    }
    const auto plain = write("plain24.wav", pcm_wav(values, 2, 16000, 24));
    const auto extensible = write(
        "extensible24.wav",
        riff_wave(
            riff_chunk("fmt ", fmt_body(uadscope::testing::wave_format_extensible, 2, 16000, 24)) +
            riff_chunk("data", pcm_bytes(values, 24))));
    EXPECT_THAT(probe_audio(extensible).format, HasSubstr("WAVEX"));
    const auto a = read_audio(plain);
    const auto b = read_audio(extensible);
    ASSERT_EQ(a.samples.size(), 150u);
    EXPECT_EQ(a.samples, b.samples);
    EXPECT_EQ(a.sample_rate, b.sample_rate);
}

TEST_F(AudioFiles, OddChunkWithPadByteSkipped) {
    const std::vector<std::int32_t> values = {100, 200, -300, 400};
    // "junk" has 3 bytes of body and one pad byte; the data chunk follows the pad byte.
    const auto path = write(
        "odd.wav",
        riff_wave(riff_chunk("fmt ", fmt_body(uadscope::testing::wave_format_pcm, 1, 16000, 16)) +
                  riff_chunk("junk", "abc") + riff_chunk("data", pcm_bytes(values, 16))));
    const auto samples = load_audio(path, raw_options());
    ASSERT_EQ(samples.size(), 4u);
    EXPECT_EQ(samples[2], -300.0f / 32768);
}

TEST_F(AudioFiles, PlaceholderDataSizeClampedToBytesPresent) {
    std::vector<std::int32_t> values(1000);
    std::iota(values.begin(), values.end(), -500);
    const auto path = write(
        "streamed.wav",
        riff_wave(riff_chunk("fmt ", fmt_body(uadscope::testing::wave_format_pcm, 2, 16000, 16)) +
                      riff_chunk("data", pcm_bytes(values, 16), 0xffffffffU),
                  0xffffffffU));
    EXPECT_EQ(probe_audio(path).frames, 500);
    const auto decoded = read_audio(path);
    ASSERT_EQ(decoded.samples.size(), 500u);
    // Frame i is {-500 + 2i, -499 + 2i}.
    EXPECT_FLOAT_EQ(decoded.samples[0], -499.5f / 32768);
    EXPECT_FLOAT_EQ(decoded.samples[499], 498.5f / 32768);
}

TEST_F(AudioFiles, CutMidSampleDropsPartialFrame) {
    const std::vector<std::int32_t> values = {1, 2, 3, 4, 5, 6, 7, 8};  // 4 stereo frames
    auto bytes = pcm_wav(values, 2, 16000, 16);
    bytes.resize(bytes.size() - 3);  // one byte of frame 3 remains
    const auto path = write("cut.wav", bytes);
    const auto decoded = read_audio(path);
    ASSERT_EQ(decoded.samples.size(), 3u);
    EXPECT_FLOAT_EQ(decoded.samples[2], 5.5f / 32768);
}

TEST_F(AudioFiles, OversizedChunkFailsFastNamingFile) {
    const auto path = write(
        "oversized.wav",
        riff_wave(riff_chunk("fmt ", fmt_body(uadscope::testing::wave_format_pcm, 1, 16000, 16)) +
                  riff_chunk("LIST", "abcd", 100000000U) +
                  riff_chunk("data", pcm_bytes({1, 2, 3}, 16))));
    expect_error_naming(
        path, [&] { read_audio(path); }, "'LIST' chunk");
    expect_error_naming(
        path, [&] { probe_audio(path); }, "declares 100000000 bytes");
}

TEST_F(AudioFiles, BrokenChunkAfterDataIgnored) {
    const std::vector<std::int32_t> values = {10, 20, 30, 40, 50};
    const auto path = write(
        "trailing.wav",
        riff_wave(riff_chunk("fmt ", fmt_body(uadscope::testing::wave_format_pcm, 1, 16000, 16)) +
                  riff_chunk("data", pcm_bytes(values, 16)) +
                  riff_chunk("LIST", "INFOabcd", 1000000U)));
    const auto decoded = read_audio(path);
    ASSERT_EQ(decoded.samples.size(), 5u);
    EXPECT_EQ(decoded.samples[4], 50.0f / 32768);
}

TEST_F(AudioFiles, EmptyFileErrorNamesFile) {
    const auto path = write("empty.wav", "");
    expect_error_naming(
        path, [&] { load_audio(path); }, "empty");
}

// A damaged header with a rate of 1 Hz would otherwise turn 1 s of audio into 16 000 s of
// frames.
TEST_F(AudioFiles, ImplausibleSampleRateRejectedNamingFile) {
    for (const int rate : {1, 999, 384001}) {
        const auto path =
            write("rate.wav", pcm_wav(std::vector<std::int32_t>(64, 100), 1, rate, 16));
        expect_error_naming(
            path, [&] { load_audio(path); }, "Hz");
    }
}

TEST_F(AudioFiles, MissingFileErrorNamesFile) {
    const auto path = dir_ / "missing.wav";
    expect_error_naming(path, [&] { load_audio(path); });
}

TEST_F(AudioFiles, HeaderWithoutDataErrorNamesFile) {
    const auto path = write(
        "header.wav",
        riff_wave(riff_chunk("fmt ", fmt_body(uadscope::testing::wave_format_pcm, 1, 16000, 16))));
    expect_error_naming(
        path, [&] { read_audio(path); }, "no data chunk");
}

TEST_F(AudioFiles, NotAudioErrorNamesFile) {
    const auto path = write("notes.wav", "these are not the samples you are looking for\n");
    expect_error_naming(
        path, [&] { read_audio(path); }, "cannot decode");
}

TEST_F(AudioFiles, ZeroFramesReadEmptyButLoadFails) {
    const auto path = write(
        "zero.wav",
        riff_wave(riff_chunk("fmt ", fmt_body(uadscope::testing::wave_format_pcm, 1, 16000, 16)) +
                  riff_chunk("data", "")));
    EXPECT_TRUE(read_audio(path).samples.empty());
    expect_error_naming(
        path, [&] { load_audio(path); }, "no samples");
}

TEST_F(AudioFiles, DigitalSilenceKeptAndLoggedOnce) {
    const auto path =
        write("silence.wav", pcm_wav(std::vector<std::int32_t>(4000, 0), 1, 16000, 16));
    auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
    auto logger = std::make_shared<spdlog::logger>("silence-test", sink);
    const auto previous = spdlog::default_logger();
    spdlog::set_default_logger(logger);
    std::vector<float> samples;
    std::vector<float> std_samples;
    std::vector<float> raw_samples;
    try {
        samples = load_audio(path);
        LoadOptions std_options;
        std_options.normalization = Normalization::std;
        std_samples = load_audio(path, std_options);
        raw_samples = load_audio(path, raw_options());
    } catch (...) {
        spdlog::set_default_logger(previous);
        throw;
    }
    spdlog::set_default_logger(previous);

    ASSERT_EQ(samples.size(), 4000u);
    EXPECT_TRUE(std::all_of(samples.begin(), samples.end(), [](float v) { return v == 0.0f; }));
    EXPECT_TRUE(
        std::all_of(std_samples.begin(), std_samples.end(), [](float v) { return v == 0.0f; }));
    EXPECT_TRUE(
        std::all_of(raw_samples.begin(), raw_samples.end(), [](float v) { return v == 0.0f; }));
    const auto lines = sink->last_formatted();
    ASSERT_EQ(lines.size(), 3u);  // one warning per load, whatever the normalisation
    for (const auto& line : lines) {
        EXPECT_THAT(line, HasSubstr("digital silence"));
        EXPECT_THAT(line, HasSubstr(path.string()));
    }
}

TEST_F(AudioFiles, ConstantSignalLeftUnnormalised) {
    const auto path =
        write("constant.wav", pcm_wav(std::vector<std::int32_t>(100, 8192), 1, 16000, 16));
    LoadOptions options = raw_options();
    options.normalization = Normalization::std;
    const auto samples = load_audio(path, options);
    ASSERT_EQ(samples.size(), 100u);
    EXPECT_EQ(samples[0], 0.25f);
    // With mean removal the constant becomes zeros, which stay zeros.
    const auto centred = load_audio(path);
    EXPECT_EQ(centred[0], 0.0f);
}

TEST_F(AudioFiles, InvertedStereoAveragesToSilence) {
    std::vector<std::int32_t> values;
    for (int i = 0; i < 2000; ++i) {
        const auto left = static_cast<std::int32_t>(std::lround(20000 * std::sin(0.05 * i)));
        values.push_back(left);
        values.push_back(-left);
    }
    const auto path = write("inverted.wav", pcm_wav(values, 2, 16000, 16));
    const auto decoded = read_audio(path);
    ASSERT_EQ(decoded.samples.size(), 2000u);
    EXPECT_TRUE(std::all_of(decoded.samples.begin(), decoded.samples.end(),
                            [](float v) { return v == 0.0f; }));
    const auto loaded = load_audio(path);
    EXPECT_TRUE(std::all_of(loaded.begin(), loaded.end(), [](float v) { return v == 0.0f; }));
}

TEST_F(AudioFiles, ChannelsAveraged) {
    // Three channels: 0.5, 0.25 and -0.125 of full scale; their mean is 0.208333...
    const std::vector<std::int32_t> values = {16384, 8192, -4096, 16384, 8192, -4096};
    const auto path = write("three.wav", pcm_wav(values, 3, 16000, 16));
    const auto decoded = read_audio(path);
    ASSERT_EQ(decoded.samples.size(), 2u);
    EXPECT_EQ(decoded.samples[0], static_cast<float>((0.5 + 0.25 - 0.125) / 3));
}

TEST_F(AudioFiles, MeanRemovedAndAbsmaxByDefault) {
    const auto path = write("offset.wav", pcm_wav({1000, 3000, 1000, 3000}, 1, 16000, 16));
    const auto samples = load_audio(path);
    ASSERT_EQ(samples.size(), 4u);
    EXPECT_FLOAT_EQ(samples[0], -1.0f);
    EXPECT_FLOAT_EQ(samples[1], 1.0f);
}

TEST_F(AudioFiles, ProbeReadsHeader) {
    const auto path =
        write("probe.wav", pcm_wav(std::vector<std::int32_t>(6 * 300, 7), 6, 22050, 24));
    const auto info = probe_audio(path);
    EXPECT_EQ(info.sample_rate, 22050);
    EXPECT_EQ(info.channels, 6);
    EXPECT_EQ(info.frames, 300);
    EXPECT_THAT(info.format, HasSubstr("WAV"));
    EXPECT_THAT(info.format, HasSubstr("24 bit"));
}

TEST_F(AudioFiles, SpanReturnsExactSamples) {
    std::vector<std::int32_t> values(1600);
    std::iota(values.begin(), values.end(), 0);
    const auto path = write("ramp.wav", pcm_wav(values, 1, 1000, 16));
    const auto span = read_audio_span(path, 0.25, 0.5);
    EXPECT_EQ(span.sample_rate, 1000);
    ASSERT_EQ(span.samples.size(), 250u);
    EXPECT_EQ(span.samples.front(), 250.0f / 32768);
    EXPECT_EQ(span.samples.back(), 499.0f / 32768);

    const auto tail = read_audio_span(path, 1.5, 9.0);
    ASSERT_EQ(tail.samples.size(), 100u);
    EXPECT_EQ(tail.samples.back(), 1599.0f / 32768);
    EXPECT_TRUE(read_audio_span(path, 2.0, 3.0).samples.empty());
    EXPECT_TRUE(read_audio_span(path, 0.5, 0.5).samples.empty());
    expect_error_naming(
        path, [&] { read_audio_span(path, 0.5, 0.25); }, "span");
    expect_error_naming(
        path, [&] { read_audio_span(path, -1.0, 0.25); }, "span");
}

// Writes `samples` (mono, in [-1, 1]) with libsndfile in `format`.
void write_with_libsndfile(const std::filesystem::path& path, int format,
                           const std::vector<float>& samples, int sample_rate) {
    SF_INFO info{};
    info.samplerate = sample_rate;
    info.channels = 1;
    info.format = format;
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(file, nullptr) << sf_strerror(nullptr);
    ASSERT_EQ(sf_writef_float(file, samples.data(), static_cast<sf_count_t>(samples.size())),
              static_cast<sf_count_t>(samples.size()));
    sf_close(file);
}

TEST_F(AudioFiles, FlacDecodesLosslessly) {
    std::vector<float> samples(5000);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        samples[i] = static_cast<float>(std::lround(16000 * std::sin(0.01 * i))) / 32768;
    }
    const auto path = dir_ / "sine.flac";
    write_with_libsndfile(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, samples, 16000);
    EXPECT_THAT(probe_audio(path).format, HasSubstr("FLAC"));
    const auto decoded = read_audio(path);
    EXPECT_EQ(decoded.samples, samples);
}

TEST_F(AudioFiles, OggVorbisDecodes) {
    std::vector<float> samples(16000);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        samples[i] = static_cast<float>(0.5 * std::sin(2 * 3.141592653589793 * 440 * i / 16000.0));
    }
    const auto path = dir_ / "sine.ogg";
    write_with_libsndfile(path, SF_FORMAT_OGG | SF_FORMAT_VORBIS, samples, 16000);
    EXPECT_THAT(probe_audio(path).format, HasSubstr("OGG"));
    const auto decoded = read_audio(path);
    ASSERT_EQ(decoded.samples.size(), samples.size());
    // Vorbis is lossy: compare the signal energy, which survives coding within a few percent.
    double energy_in = 0;
    double energy_out = 0;
    for (std::size_t i = 2000; i < samples.size() - 2000; ++i) {
        energy_in += samples[i] * samples[i];
        energy_out += decoded.samples[i] * decoded.samples[i];
    }
    EXPECT_NEAR(energy_out / energy_in, 1.0, 0.05);
}

TEST_F(AudioFiles, ResampledLengthFollowsRate) {
    const auto path =
        write("rate.wav",
              pcm_wav(uadscope::testing::sine_pcm(440, 44100, 44100, 0.5, 32767), 1, 44100, 16));
    const auto samples = load_audio(path);
    EXPECT_EQ(samples.size(), 16000u);  // 44100 samples, one second
}

// Random 16-bit frames around an offset, so that mean removal matters, with the largest
// magnitude on the negative side when `negative_peak` is set and on the positive side
// otherwise.
std::vector<std::int32_t> offset_noise_pcm16(std::size_t frames, int channels, bool negative_peak,
                                             std::uint64_t seed) {
    Rng rng(seed);
    std::vector<std::int32_t> values(frames * static_cast<std::size_t>(channels));
    for (auto& value : values) {
        value = 3000 + static_cast<std::int32_t>(rng.uniform_int(16001)) - 8000;
    }
    values[values.size() / 3] = negative_peak ? -32768 : 32767;
    return values;
}

// load_audio() computed the slow way: decode, resample, then remove_mean() and normalize() as
// separate passes. load_audio() gathers the sum and range while decoding instead.
std::vector<float> load_step_by_step(const std::filesystem::path& path,
                                     const LoadOptions& options) {
    const auto decoded = read_audio(path);
    std::vector<float> samples =
        resample(decoded.samples, decoded.sample_rate, options.sample_rate);
    if (options.remove_mean) {
        remove_mean(samples);
    }
    normalize(samples, options.normalization);
    return samples;
}

TEST_F(AudioFiles, LoadEqualsStepByStepReference) {
    struct Case {
        std::string name;
        int channels;
        int bits;
        int sample_rate;
        bool negative_peak;
    };
    // 16-bit PCM with power-of-two channel counts takes the exact integer path and the others
    // the float path. The 22050 Hz file is resampled.
    const std::vector<Case> cases = {
        {"mono16", 1, 16, 16000, false},      {"mono16_negative", 1, 16, 16000, true},
        {"stereo16", 2, 16, 16000, true},     {"three16", 3, 16, 16000, false},
        {"four16", 4, 16, 16000, true},       {"six16", 6, 16, 16000, true},
        {"eight16", 8, 16, 16000, false},     {"eight16_negative", 8, 16, 16000, true},
        {"mono24", 1, 24, 16000, false},      {"stereo24", 2, 24, 16000, true},
        {"mono16_22050", 1, 16, 22050, true},
    };
    std::uint64_t seed = 1;
    for (const auto& test_case : cases) {
        SCOPED_TRACE(test_case.name);
        auto values = offset_noise_pcm16(4097, test_case.channels, test_case.negative_peak, ++seed);
        if (test_case.bits == 24) {
            for (auto& value : values) {
                value = value * 256 + 77;
            }
        }
        const auto path =
            write(test_case.name + ".wav",
                  pcm_wav(values, test_case.channels, test_case.sample_rate, test_case.bits));
        for (const auto normalization :
             {Normalization::absmax, Normalization::std, Normalization::none}) {
            for (const bool remove_mean : {true, false}) {
                SCOPED_TRACE(std::string(to_string(normalization)) +
                             (remove_mean ? ", mean removed" : ", mean kept"));
                LoadOptions options;
                options.normalization = normalization;
                options.remove_mean = remove_mean;
                // Bitwise equality, because the fused passes promise the same roundings.
                EXPECT_EQ(load_audio(path, options), load_step_by_step(path, options));
            }
        }
    }
}

TEST_F(AudioFiles, LoadFloatEqualsStepByStepReference) {
    Rng rng(17);
    std::vector<float> values(3001);
    for (auto& value : values) {
        value = rng.uniform(-0.3f, 0.9f);
    }
    values[5] = -2.5f;
    const auto path = write(
        "float.wav",
        riff_wave(
            riff_chunk("fmt ", fmt_body(uadscope::testing::wave_format_ieee_float, 1, 16000, 32)) +
            riff_chunk("data", float_bytes(values))));
    for (const auto normalization :
         {Normalization::absmax, Normalization::std, Normalization::none}) {
        SCOPED_TRACE(std::string(to_string(normalization)));
        LoadOptions options;
        options.normalization = normalization;
        EXPECT_EQ(load_audio(path, options), load_step_by_step(path, options));
    }
}

TEST_F(AudioFiles, Pcm16MeanEqualsLibsndfileFloatMean) {
    // The 16-bit path converts integers itself. The reference is libsndfile's float decoding
    // and a mean in double, bit for bit, at the extremes of the range too.
    for (const int channels : {1, 2, 3, 4, 5, 8}) {
        SCOPED_TRACE(channels);
        auto values =
            offset_noise_pcm16(3000, channels, true, static_cast<std::uint64_t>(channels));
        std::fill(values.begin(), values.begin() + channels, -32768);
        std::fill(values.end() - channels, values.end(), 32767);
        const auto path =
            write("mix" + std::to_string(channels) + ".wav", pcm_wav(values, channels, 16000, 16));

        SF_INFO info{};
        SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
        ASSERT_NE(file, nullptr);
        std::vector<float> interleaved(values.size());
        ASSERT_EQ(sf_readf_float(file, interleaved.data(), 3000), 3000);
        sf_close(file);
        std::vector<float> expected;
        for (std::size_t i = 0; i < 3000; ++i) {
            double sum = 0;
            for (int c = 0; c < channels; ++c) {
                sum += interleaved[i * static_cast<std::size_t>(channels) + c];
            }
            expected.push_back(static_cast<float>(sum / channels));
        }
        EXPECT_EQ(read_audio(path).samples, expected);
        EXPECT_EQ(read_audio(path).samples.front(), -1.0f);
    }
}

TEST(Summarize, MatchesSeparatePasses) {
    Rng rng(23);
    for (const std::size_t size : {1, 3, 4, 7, 8, 9, 1000, 1003}) {
        SCOPED_TRACE(size);
        std::vector<float> samples(size);
        for (auto& value : samples) {
            value = rng.uniform(-1.0f, 2.0f);
        }
        const auto summary = summarize(samples);
        EXPECT_TRUE(summary.known);
        EXPECT_EQ(summary.minimum, *std::min_element(samples.begin(), samples.end()));
        EXPECT_EQ(summary.maximum, *std::max_element(samples.begin(), samples.end()));
        // remove_mean() subtracts sum / size rounded to float, so the two means must agree.
        std::vector<float> centred = samples;
        remove_mean(centred);
        const auto mean = static_cast<float>(summary.sum / static_cast<double>(size));
        EXPECT_EQ(centred[0], samples[0] - mean);
    }
    std::vector<float> with_nan = {1.0f, std::numeric_limits<float>::quiet_NaN(), 2.0f};
    EXPECT_FALSE(std::isfinite(summarize(with_nan).sum));
    std::vector<float> with_inf(11, 0.5f);
    with_inf[10] = -std::numeric_limits<float>::infinity();
    EXPECT_FALSE(std::isfinite(summarize(with_inf).sum));
}

TEST(SubtractAndDivide, EqualsRemoveMeanThenNormalize) {
    Rng rng(29);
    std::vector<float> samples(1001);
    for (auto& value : samples) {
        value = rng.uniform(-0.5f, 0.7f);
    }
    std::vector<float> reference = samples;
    remove_mean(reference);
    const float peak =
        std::fabs(*std::max_element(reference.begin(), reference.end(),
                                    [](float a, float b) { return std::fabs(a) < std::fabs(b); }));
    normalize(reference, Normalization::absmax);
    const auto summary = summarize(samples);
    const auto mean = static_cast<float>(summary.sum / static_cast<double>(samples.size()));
    subtract_and_divide(samples, mean, peak);
    EXPECT_EQ(samples, reference);
}

TEST(RealData, EveryFileDecodes) {
    UADSCOPE_REQUIRE_SHARED(shared);
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(shared / "data")) {
        if (!entry.is_regular_file() || entry.path().extension() != ".wav") {
            continue;
        }
        ++files;
        SCOPED_TRACE(entry.path().string());
        const auto info = probe_audio(entry.path());
        const auto samples = load_audio(entry.path());
        const auto expected = static_cast<std::size_t>(
            std::ceil(static_cast<double>(info.frames) * 16000 / info.sample_rate));
        EXPECT_EQ(samples.size(), expected);
        EXPECT_TRUE(
            std::all_of(samples.begin(), samples.end(), [](float v) { return std::isfinite(v); }));
        const float peak = *std::max_element(samples.begin(), samples.end(), [](float a, float b) {
            return std::fabs(a) < std::fabs(b);
        });
        EXPECT_FLOAT_EQ(std::fabs(peak), 1.0f);
    }
    EXPECT_EQ(files, 195u);
}

}  // namespace
}  // namespace uadscope::audio
