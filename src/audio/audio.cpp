#include "audio/audio.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include "audio/sample_summary.h"
#include "audio/sound_file.h"
#include "core/error.h"

namespace uadscope::audio {
namespace {

constexpr int min_sample_rate = 1000;
constexpr int max_sample_rate = 384000;

// Throws when a float file contains NaN or infinity, which would make every feature NaN.
void check_finite(const std::filesystem::path& path, std::span<const float> samples) {
    // value * 0 is NaN exactly when value is not finite. Eight independent lanes let the
    // compiler vectorise this scan.
    std::array<float, 8> lanes{};
    std::size_t i = 0;
    for (; i + 8 <= samples.size(); i += 8) {
        for (std::size_t j = 0; j < 8; ++j) {
            lanes[j] += samples[i + j] * 0.0f;
        }
    }
    for (; i < samples.size(); ++i) {
        lanes[0] += samples[i] * 0.0f;
    }
    if (std::none_of(lanes.begin(), lanes.end(), [](float lane) { return std::isnan(lane); })) {
        return;
    }
    const auto bad = std::find_if(samples.begin(), samples.end(),
                                  [](float value) { return !std::isfinite(value); });
    if (bad != samples.end()) {
        throw Error(fmt::format("{}: sample {} is {}; the file is corrupt or not audio",
                                path.string(), bad - samples.begin(), *bad));
    }
}

}  // namespace

Normalization parse_normalization(std::string_view text) {
    if (text == "none") {
        return Normalization::none;
    }
    if (text == "std") {
        return Normalization::std;
    }
    if (text == "absmax") {
        return Normalization::absmax;
    }
    throw Error(fmt::format("invalid normalization '{}': expected none, std or absmax", text));
}

std::string_view to_string(Normalization normalization) {
    switch (normalization) {
        case Normalization::none:
            return "none";
        case Normalization::std:
            return "std";
        case Normalization::absmax:
            return "absmax";
    }
    UADSCOPE_ASSERT(false);
}

void LoadOptions::validate() const {
    if (sample_rate < min_sample_rate || sample_rate > max_sample_rate) {
        throw Error(fmt::format("invalid sample rate {} Hz: expected {} to {} Hz", sample_rate,
                                min_sample_rate, max_sample_rate));
    }
}

AudioInfo probe_audio(const std::filesystem::path& path) {
    const SoundFile file(path);
    return {file.sample_rate(), file.channels(), file.frames(), file.format()};
}

DecodedAudio read_audio(const std::filesystem::path& path) {
    SoundFile file(path);
    DecodedAudio audio;
    audio.sample_rate = file.sample_rate();
    // The header's frame count is only a size hint: check_riff() has already bounded it by the
    // bytes present, and compressed formats may decode a few frames more or less.
    audio.samples.reserve(static_cast<std::size_t>(std::max<std::int64_t>(file.frames(), 0)));
    file.read_mono(std::numeric_limits<std::int64_t>::max(), audio.samples);
    check_finite(path, audio.samples);
    return audio;
}

DecodedAudio read_audio_span(const std::filesystem::path& path, double start_s, double end_s) {
    if (!(start_s >= 0) || !(end_s >= start_s) || !std::isfinite(end_s)) {
        throw Error(fmt::format("{}: invalid audio span [{}, {}) s: expected 0 <= start <= end",
                                path.string(), start_s, end_s));
    }
    SoundFile file(path);
    DecodedAudio audio;
    audio.sample_rate = file.sample_rate();
    const double rate = file.sample_rate();
    const std::int64_t frames = file.frames();
    // Clipping in double first keeps llround in range for any finite span.
    const auto frames_double = static_cast<double>(frames);
    const auto first =
        static_cast<std::int64_t>(std::llround(std::min(start_s * rate, frames_double)));
    const auto last =
        static_cast<std::int64_t>(std::llround(std::min(end_s * rate, frames_double)));
    if (last > first) {
        file.seek(first);
        audio.samples.reserve(static_cast<std::size_t>(last - first));
        file.read_mono(last - first, audio.samples);
        check_finite(path, audio.samples);
    }
    return audio;
}

std::vector<float> load_audio(const std::filesystem::path& path, const LoadOptions& options) {
    options.validate();
    std::vector<float> samples;
    SampleSummary summary;
    int sample_rate = 0;
    {
        SoundFile file(path);
        sample_rate = file.sample_rate();
        if (sample_rate < min_sample_rate || sample_rate > max_sample_rate) {
            throw Error(fmt::format(
                "{}: the header declares {} Hz, outside the {} to {} Hz uadscope reads; the "
                "header is probably damaged, so repair or remove the file",
                path.string(), sample_rate, min_sample_rate, max_sample_rate));
        }
        samples.reserve(static_cast<std::size_t>(std::max<std::int64_t>(file.frames(), 0)));
        file.read_mono(std::numeric_limits<std::int64_t>::max(), samples, &summary);
    }
    if (samples.empty()) {
        throw Error(fmt::format("{}: the audio file has no samples", path.string()));
    }
    if (sample_rate != options.sample_rate) {
        check_finite(path, samples);
        samples = resample(samples, sample_rate, options.sample_rate);
        summary = summarize(samples);
        if (!std::isfinite(summary.sum)) {
            throw Error(fmt::format(
                "{}: resampling from {} Hz to {} Hz gave samples that are not finite; the "
                "file's samples are too large, so scale them down",
                path.string(), sample_rate, options.sample_rate));
        }
    } else if (!summary.known) {
        // A NaN or infinite sample makes the sum non-finite, and check_finite() then throws
        // naming the sample.
        summary = summarize(samples);
        if (!std::isfinite(summary.sum)) {
            check_finite(path, samples);
        }
    }

    const bool silent = summary.minimum == 0 && summary.maximum == 0;
    if (silent) {
        spdlog::warn("{}: digital silence (every sample is zero); kept as zeros", path.string());
    }
    // The same mean as remove_mean(): the sum in double over the sample count, rounded to float.
    const float mean = options.remove_mean
                           ? static_cast<float>(summary.sum / static_cast<double>(samples.size()))
                           : 0.0f;
    float divisor = 1.0f;
    bool normalised = true;
    switch (options.normalization) {
        case Normalization::none:
            break;
        case Normalization::absmax: {
            // Rounding is monotonic, so the largest |sample - mean| in float is reached at the
            // smallest or the largest sample. This is the divisor that normalize() finds after
            // remove_mean(), without a pass over the samples.
            const float peak =
                std::max(std::fabs(summary.maximum - mean), std::fabs(summary.minimum - mean));
            normalised = peak != 0;
            divisor = normalised ? peak : 1.0f;
            break;
        }
        case Normalization::std:
            subtract_and_divide(samples, mean, 1.0f);
            normalised = normalize(samples, Normalization::std);
            break;
    }
    if (options.normalization != Normalization::std) {
        subtract_and_divide(samples, mean, divisor);
    }
    if (!normalised && !silent) {
        spdlog::warn(
            "{}: constant signal, so {} normalisation would divide by zero; left "
            "unnormalised",
            path.string(), to_string(options.normalization));
    }
    return samples;
}

}  // namespace uadscope::audio
