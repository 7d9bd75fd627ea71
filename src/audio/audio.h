#pragma once

// Audio input: decoding with libsndfile, downmix, soxr resampling, mean removal and
// normalisation.
//
// Every function returns mono float samples: the mean of the file's channels. Samples are
// in libsndfile's float scale (integer PCM maps to [-1, 1), float files pass through).
// Errors in a file throw uadscope::Error with the file's path in the message, and so does a
// NaN or infinite sample in a float file.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uadscope::audio {

// Amplitude normalisation applied after mean removal.
enum class Normalization {
    none,    // keep the decoded scale
    std,     // divide by the standard deviation (population, over the whole file)
    absmax,  // divide by the largest absolute sample, so the peak is exactly 1
};

// Parses "none", "std" or "absmax"; throws Error naming the value and the choices otherwise.
Normalization parse_normalization(std::string_view text);
std::string_view to_string(Normalization normalization);

// Facts from a file's header, without decoding the samples.
struct AudioInfo {
    int sample_rate = 0;
    int channels = 0;
    std::int64_t frames = 0;  // samples per channel
    // libsndfile's container and encoding names, e.g. "WAVEX (Microsoft), Signed 16 bit PCM"
    std::string format;
};

// Reads the header of `path`; throws Error naming the file when it is not readable audio.
AudioInfo probe_audio(const std::filesystem::path& path);

// Default target rate of load_audio, in Hz.
inline constexpr int default_sample_rate = 16000;

struct LoadOptions {
    // Output rate in Hz, in [1000, 384000]; the file is resampled when its rate differs.
    int sample_rate = default_sample_rate;
    Normalization normalization = Normalization::absmax;
    // Subtract the mean of the (resampled) signal before normalising.
    bool remove_mean = true;

    // Throws Error when a value is out of range.
    void validate() const;
};

// Decodes `path`, averages its channels, resamples to options.sample_rate with soxr at very
// high quality (SOXR_VHQ), removes the mean and normalises.
// A file of digital silence is kept as zeros, with one warning naming the file; no NaN is
// produced. Throws Error naming the file on any decoding problem, including a file with no
// samples.
std::vector<float> load_audio(const std::filesystem::path& path, const LoadOptions& options = {});

// Mono samples at the file's own rate.
struct DecodedAudio {
    std::vector<float> samples;  // mean of the channels, [frames]
    int sample_rate = 0;
};

// Decodes the whole of `path` at its own rate and averages the channels.
// Throws Error naming the file on any decoding problem; a file of zero frames is returned
// empty.
DecodedAudio read_audio(const std::filesystem::path& path);

// Decodes the samples of `path` in the time span [start_s, end_s) seconds at the file's own
// rate and averages the channels: sample indices round(start_s * rate) up to, but excluding,
// round(end_s * rate). The span is clipped to the file, so a span past the end returns fewer
// samples (or none). Throws Error when start_s < 0 or end_s < start_s.
DecodedAudio read_audio_span(const std::filesystem::path& path, double start_s, double end_s);

// Resamples mono `samples` from `input_rate` to `output_rate` Hz with soxr (SOXR_VHQ).
// Returns ceil(samples.size() * output_rate / input_rate) samples; a copy when the rates match.
std::vector<float> resample(std::span<const float> samples, int input_rate, int output_rate);

// Subtracts the mean (accumulated in double) from every sample.
void remove_mean(std::span<float> samples);

// Applies `normalization` in place. Returns false, leaving the samples unchanged, when the
// divisor is zero (digital silence); true otherwise.
bool normalize(std::span<float> samples, Normalization normalization);

}  // namespace uadscope::audio
