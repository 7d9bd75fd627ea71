#include "features/stft.h"

#include <fftw3.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numbers>

#include "audio/target_clones.h"
#include "core/error.h"

namespace uadscope::features {
namespace {

// FFTW's planner shares global state; only fftw_execute* is thread-safe.
std::mutex& fftw_planner_mutex() {
    static std::mutex mutex;
    return mutex;
}

}  // namespace

// The real FFT of n_fft samples is computed as a complex FFT of n_fft / 2 points whose real
// and imaginary parts are the even and odd samples, followed by the standard split step
// (split_power). FFTW 3.3.10's FFTW_ESTIMATE plan for the real transform makes the same split
// and gave the same bits on the 14 DCASE 2023 training clips, but its split step is slow. The
// vectorised split here cut the CPU time of both features of a 10 s clip from about 0.62 ms to
// 0.46 ms (Xeon with 2 vCPUs, measured with CLOCK_THREAD_CPUTIME_ID).
struct PowerSpectrogram::Plan {
    fftwf_plan plan = nullptr;
    float* input = nullptr;           // n_fft windowed samples = n_fft / 2 complex, FFTW-aligned
    fftwf_complex* output = nullptr;  // n_fft / 2 complex spectrum values, FFTW-aligned
    std::vector<float> twiddle_re;    // cos(2 pi k / n_fft) for k < n_fft / 2
    std::vector<float> twiddle_im;    // -sin(2 pi k / n_fft)
    std::vector<float> spectrum_re;   // n_fft / 2 + 1 real parts of the complex FFT output
    std::vector<float> spectrum_im;   // and the imaginary parts; index n_fft / 2 repeats 0

    ~Plan() {
        std::lock_guard lock(fftw_planner_mutex());
        if (plan != nullptr) {
            fftwf_destroy_plan(plan);
        }
        fftwf_free(input);
        fftwf_free(output);
    }
};

std::int64_t frame_count(std::int64_t samples, int hop_length) {
    if (hop_length < 1) {
        throw Error(fmt::format("invalid hop_length {}: expected at least 1", hop_length));
    }
    if (samples <= 0) {
        return 0;
    }
    return 1 + samples / hop_length;
}

std::vector<double> periodic_hann(int length) {
    std::vector<double> window(static_cast<std::size_t>(std::max(length, 0)));
    for (int n = 0; n < length; ++n) {
        window[static_cast<std::size_t>(n)] =
            0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * n / length);
    }
    return window;
}

PowerSpectrogram::PowerSpectrogram(int n_fft, int hop_length)
    : n_fft_(n_fft),
      hop_length_(hop_length),
      bins_(n_fft / 2 + 1),
      plan_(std::make_unique<Plan>()) {
    if (n_fft < 2 || n_fft % 2 != 0 || hop_length < 1) {
        throw Error(
            fmt::format("invalid STFT size n_fft {} hop_length {}: expected an even "
                        "n_fft >= 2 and hop_length >= 1",
                        n_fft, hop_length));
    }
    const auto window = periodic_hann(n_fft);
    window_.assign(window.begin(), window.end());

    const int points = n_fft / 2;
    plan_->twiddle_re.resize(static_cast<std::size_t>(points));
    plan_->twiddle_im.resize(static_cast<std::size_t>(points));
    for (int k = 0; k < points; ++k) {
        const double angle = 2.0 * std::numbers::pi * k / n_fft;
        plan_->twiddle_re[static_cast<std::size_t>(k)] = static_cast<float>(std::cos(angle));
        plan_->twiddle_im[static_cast<std::size_t>(k)] = static_cast<float>(-std::sin(angle));
    }
    plan_->spectrum_re.resize(static_cast<std::size_t>(points) + 1);
    plan_->spectrum_im.resize(static_cast<std::size_t>(points) + 1);
    plan_->input = fftwf_alloc_real(static_cast<std::size_t>(n_fft));
    plan_->output = fftwf_alloc_complex(static_cast<std::size_t>(points));
    UADSCOPE_ASSERT(plan_->input != nullptr && plan_->output != nullptr);
    // FFTW_ESTIMATE chooses the algorithm without timing runs, so the output is the same bits
    // in every run. FFTW_MEASURE is faster but could pick a different algorithm from run to run.
    std::lock_guard lock(fftw_planner_mutex());
    plan_->plan = fftwf_plan_dft_1d(points, reinterpret_cast<fftwf_complex*>(plan_->input),
                                    plan_->output, FFTW_FORWARD, FFTW_ESTIMATE);
    UADSCOPE_ASSERT(plan_->plan != nullptr);
}

PowerSpectrogram::~PowerSpectrogram() = default;

void PowerSpectrogram::compute(std::span<const float> samples, std::vector<float>& power) {
    const std::int64_t frames = frame_count(static_cast<std::int64_t>(samples.size()), hop_length_);
    power.resize(static_cast<std::size_t>(frames) * static_cast<std::size_t>(bins_));
    compute_frames(samples, 0, frames, power);
}

void PowerSpectrogram::compute_frames(std::span<const float> samples, std::int64_t first_frame,
                                      std::int64_t count, std::span<float> power) {
    const auto length = static_cast<std::int64_t>(samples.size());
    const auto bins = static_cast<std::size_t>(bins_);
    UADSCOPE_ASSERT(first_frame >= 0 && count >= 0 &&
                    first_frame + count <= frame_count(length, hop_length_));
    UADSCOPE_ASSERT(power.size() >= static_cast<std::size_t>(count) * bins);

    float* input = plan_->input;
    const fftwf_complex* output = plan_->output;
    const std::int64_t half = n_fft_ / 2;
    for (std::int64_t i = 0; i < count; ++i) {
        // Frame t covers samples [t * hop - n_fft / 2, t * hop + n_fft / 2). Samples outside
        // the signal are the zeros of the centre padding.
        const std::int64_t start = (first_frame + i) * hop_length_ - half;
        const std::int64_t first = std::max<std::int64_t>(0, -start);
        const std::int64_t last = std::min<std::int64_t>(n_fft_, length - start);
        std::fill(input, input + first, 0.0f);
        for (std::int64_t n = first; n < last; ++n) {
            input[n] =
                window_[static_cast<std::size_t>(n)] * samples[static_cast<std::size_t>(start + n)];
        }
        std::fill(input + std::max(first, last), input + n_fft_, 0.0f);

        fftwf_execute_dft(plan_->plan, reinterpret_cast<fftwf_complex*>(input), plan_->output);
        split_power(output, power.data() + static_cast<std::size_t>(i) * bins);
    }
}

UADSCOPE_TARGET_CLONES void PowerSpectrogram::split_power(const void* spectrum,
                                                          float* __restrict row) {
    // Z is the FFT of z[n] = x[2n] + i x[2n + 1] over M = n_fft / 2 points. With
    // E = (Z[k] + conj(Z[M - k])) / 2 and O = (Z[k] - conj(Z[M - k])) / (2i), the spectrum of
    // x is X[k] = E + W^k O with W = exp(-2 pi i / n_fft), for k = 0 .. M (Z[M] = Z[0]).
    const auto points = static_cast<std::size_t>(n_fft_ / 2);
    const float* __restrict twiddle_re = plan_->twiddle_re.data();
    const float* __restrict twiddle_im = plan_->twiddle_im.data();

    // Separate real and imaginary parts first: the compiler vectorises plain float arrays read
    // forwards and backwards, but not the interleaved pairs.
    const auto* __restrict z = static_cast<const float*>(spectrum);
    float* __restrict z_re = plan_->spectrum_re.data();
    float* __restrict z_im = plan_->spectrum_im.data();
    for (std::size_t k = 0; k < points; ++k) {
        z_re[k] = z[2 * k];
        z_im[k] = z[2 * k + 1];
    }
    z_re[points] = z_re[0];
    z_im[points] = z_im[0];

    const float dc = z_re[0] + z_im[0];
    const float nyquist = z_re[0] - z_im[0];
    row[0] = dc * dc;
    row[points] = nyquist * nyquist;
    for (std::size_t k = 1; k < points; ++k) {
        const float a_re = z_re[k];
        const float a_im = z_im[k];
        const float b_re = z_re[points - k];
        const float b_im = -z_im[points - k];
        const float even_re = 0.5f * (a_re + b_re);
        const float even_im = 0.5f * (a_im + b_im);
        // (a - b) / (2i) = (Im(a - b) - i Re(a - b)) / 2
        const float odd_re = 0.5f * (a_im - b_im);
        const float odd_im = -0.5f * (a_re - b_re);
        const float x_re = even_re + (twiddle_re[k] * odd_re - twiddle_im[k] * odd_im);
        const float x_im = even_im + (twiddle_re[k] * odd_im + twiddle_im[k] * odd_re);
        row[k] = x_re * x_re + x_im * x_im;
    }
}

}  // namespace uadscope::features
