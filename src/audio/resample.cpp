#include <fmt/format.h>
#include <soxr.h>

#include <cmath>

#include "audio/audio.h"
#include "core/error.h"

namespace uadscope::audio {

std::vector<float> resample(std::span<const float> samples, int input_rate, int output_rate) {
    if (input_rate <= 0 || output_rate <= 0) {
        throw Error(fmt::format("invalid resampling rates {} Hz -> {} Hz: expected positive rates",
                                input_rate, output_rate));
    }
    if (input_rate == output_rate || samples.empty()) {
        return {samples.begin(), samples.end()};
    }
    const auto expected = static_cast<std::size_t>(
        std::ceil(static_cast<double>(samples.size()) * output_rate / input_rate));
    std::vector<float> output(expected);

    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_VHQ, 0);
    const soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
    std::size_t output_done = 0;
    const soxr_error_t error =
        soxr_oneshot(input_rate, output_rate, 1, samples.data(), samples.size(), nullptr,
                     output.data(), output.size(), &output_done, &io, &quality, &runtime);
    if (error != nullptr) {
        throw Error(
            fmt::format("resampling {} Hz -> {} Hz failed: {}", input_rate, output_rate, error));
    }
    // soxr_oneshot (0.1.3) returns round(size * ratio) samples. librosa 0.10 resample pads its
    // output to ceil(size * ratio) (fix_length), and so does this, so that every non-empty
    // input gives a non-empty output.
    output.resize(output_done);
    output.resize(expected, 0.0f);
    return output;
}

}  // namespace uadscope::audio
