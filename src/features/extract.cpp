#include "features/extract.h"

#include <fmt/format.h>

#include <cfloat>
#include <cmath>

#include "core/error.h"

namespace uadscope::features {
namespace {

constexpr int min_sample_rate = 1000;
constexpr int max_sample_rate = 384000;
constexpr int min_n_fft = 16;
constexpr int max_n_fft = 65536;
constexpr int max_n_mels = 1024;

// Returns `options` after validating them, so that members built from them see valid values.
const SpectrogramOptions& validated(const SpectrogramOptions& options) {
    options.validate();
    return options;
}

}  // namespace

void SpectrogramOptions::validate() const {
    if (sample_rate < min_sample_rate || sample_rate > max_sample_rate) {
        throw Error(fmt::format("invalid sample rate {} Hz: expected {} to {} Hz", sample_rate,
                                min_sample_rate, max_sample_rate));
    }
    // An odd n_fft changes the centred frame count to 1 + (samples - 1) / hop_length, which
    // the rest of the pipeline does not expect.
    if (n_fft < min_n_fft || n_fft > max_n_fft || n_fft % 2 != 0) {
        throw Error(
            fmt::format("invalid n_fft {}: expected an even number of samples from {} to {}", n_fft,
                        min_n_fft, max_n_fft));
    }
    if (hop_length < 1 || hop_length > n_fft) {
        throw Error(fmt::format("invalid hop_length {}: expected 1 to n_fft ({}) samples",
                                hop_length, n_fft));
    }
    if (n_mels < 1 || n_mels > max_n_mels) {
        throw Error(fmt::format("invalid n_mels {}: expected 1 to {}", n_mels, max_n_mels));
    }
    if (!(fmin >= 0) || !(fmax > fmin) || fmax > sample_rate / 2.0) {
        throw Error(
            fmt::format("invalid mel range fmin {} Hz, fmax {} Hz: expected 0 <= fmin < "
                        "fmax <= sample rate / 2 ({} Hz)",
                        fmin, fmax, sample_rate / 2.0));
    }
    if (!(ref > 0) || !std::isfinite(ref)) {
        throw Error(fmt::format("invalid dB ref {}: expected a positive power", ref));
    }
    if (!(amin >= FLT_MIN) || !std::isfinite(amin)) {
        throw Error(fmt::format("invalid dB amin {}: expected at least {}", amin, FLT_MIN));
    }
    if (!(top_db > 0)) {
        throw Error(
            fmt::format("invalid top_db {}: expected a positive number of dB, or inf for "
                        "no clamp",
                        top_db));
    }
}

DbOptions SpectrogramOptions::db_options() const {
    return {db, ref, amin, top_db};
}

FeatureExtractor::FeatureExtractor(const SpectrogramOptions& options)
    : options_(validated(options)),
      spectrogram_(options.n_fft, options.hop_length),
      mel_bank_(options.sample_rate, options.n_fft, options.n_mels, options.fmin, options.fmax) {}

FileFeatures FeatureExtractor::compute(std::span<const float> samples, bool log_stft,
                                       bool log_mel) {
    spectrogram_.compute(samples, power_);
    const auto bins = static_cast<std::size_t>(spectrogram_.bins());
    const std::size_t frames = bins == 0 ? 0 : power_.size() / bins;
    const DbOptions db = options_.db_options();

    FileFeatures features;
    features.energy.resize(frames);
    for (std::size_t t = 0; t < frames; ++t) {
        // Four partial sums break the dependency chain of one double accumulator.
        const float* row = power_.data() + t * bins;
        double sums[4] = {0, 0, 0, 0};
        std::size_t k = 0;
        for (; k + 4 <= bins; k += 4) {
            for (std::size_t j = 0; j < 4; ++j) {
                sums[j] += row[k + j];
            }
        }
        for (; k < bins; ++k) {
            sums[0] += row[k];
        }
        features.energy[t] = static_cast<float>((sums[0] + sums[1]) + (sums[2] + sums[3]));
    }

    if (log_mel) {
        const auto mels = static_cast<std::size_t>(options_.n_mels);
        features.log_mel.frames = static_cast<std::int64_t>(frames);
        features.log_mel.dims = options_.n_mels;
        features.log_mel.values.resize(frames * mels);
        mel_bank_.apply(power_, features.log_mel.values);
        power_to_db(features.log_mel.values, db);
    }

    if (log_stft) {
        features.log_stft.frames = static_cast<std::int64_t>(frames);
        features.log_stft.dims = static_cast<std::int64_t>(bins);
        features.log_stft.values.resize(power_.size());
        power_to_db(power_, features.log_stft.values, db);
    }
    return features;
}

}  // namespace uadscope::features
