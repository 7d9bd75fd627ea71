#include "features/mel_filter_bank.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "audio/target_clones.h"
#include "core/error.h"

namespace uadscope::features {
namespace {

// Slaney's Auditory Toolbox scale, as librosa 0.10 defines it: linear at 3 mels per 200 Hz up
// to 1 kHz, then logarithmic with 27 mels per factor 6.4.
constexpr double linear_hz_per_mel = 200.0 / 3.0;
constexpr double log_region_hz = 1000.0;
constexpr double log_region_mel = log_region_hz / linear_hz_per_mel;

double log_step() {
    return std::log(6.4) / 27.0;
}

}  // namespace

double hz_to_mel(double hz) {
    if (hz >= log_region_hz) {
        return log_region_mel + std::log(hz / log_region_hz) / log_step();
    }
    return hz / linear_hz_per_mel;
}

double mel_to_hz(double mel) {
    if (mel >= log_region_mel) {
        return log_region_hz * std::exp(log_step() * (mel - log_region_mel));
    }
    return linear_hz_per_mel * mel;
}

std::vector<double> mel_frequencies(int count, double fmin, double fmax) {
    std::vector<double> hz(static_cast<std::size_t>(std::max(count, 0)));
    if (count == 0) {
        return hz;
    }
    const double min_mel = hz_to_mel(fmin);
    const double max_mel = hz_to_mel(fmax);
    // The same arithmetic as numpy.linspace: i * step + start, with the last point exactly
    // the stop value.
    const double step = count > 1 ? (max_mel - min_mel) / (count - 1) : 0.0;
    for (int i = 0; i < count; ++i) {
        const double mel = i == count - 1 && count > 1 ? max_mel : i * step + min_mel;
        hz[static_cast<std::size_t>(i)] = mel_to_hz(mel);
    }
    return hz;
}

MelFilterBank::MelFilterBank(double sample_rate, int n_fft, int n_mels, double fmin, double fmax)
    : n_mels_(n_mels), bins_(n_fft / 2 + 1) {
    if (!(sample_rate > 0) || n_fft < 2 || n_mels < 1 || !(fmin >= 0) || !(fmax > fmin)) {
        throw Error(
            fmt::format("invalid mel filter bank: sample rate {} Hz, n_fft {}, n_mels {}, "
                        "fmin {} Hz, fmax {} Hz; expected positive sizes and "
                        "0 <= fmin < fmax",
                        sample_rate, n_fft, n_mels, fmin, fmax));
    }
    const auto bins = static_cast<std::size_t>(bins_);
    const auto mels = static_cast<std::size_t>(n_mels);

    // numpy.fft.rfftfreq(n_fft, d=1/sample_rate), with numpy's rounding steps.
    std::vector<double> fft_hz(bins);
    const double spacing = 1.0 / (n_fft * (1.0 / sample_rate));
    for (std::size_t k = 0; k < bins; ++k) {
        fft_hz[k] = static_cast<double>(k) * spacing;
    }
    const auto edges = mel_frequencies(n_mels + 2, fmin, fmax);

    // librosa fills a float32 array with the float64 triangles, then multiplies it in place by
    // the float64 area normalisation: two roundings to float32, repeated here.
    weights_.assign(mels * bins, 0.0f);
    for (std::size_t m = 0; m < mels; ++m) {
        const double lower_width = edges[m + 1] - edges[m];
        const double upper_width = edges[m + 2] - edges[m + 1];
        const double area_norm = 2.0 / (edges[m + 2] - edges[m]);
        for (std::size_t k = 0; k < bins; ++k) {
            const double rising = -(edges[m] - fft_hz[k]) / lower_width;
            const double falling = (edges[m + 2] - fft_hz[k]) / upper_width;
            const auto triangle = static_cast<float>(std::max(0.0, std::min(rising, falling)));
            weights_[m * bins + k] = static_cast<float>(triangle * area_norm);
        }
    }

    first_bin_.resize(mels);
    end_bin_.resize(mels);
    for (std::size_t m = 0; m < mels; ++m) {
        const float* row = weights_.data() + m * bins;
        std::size_t first = 0;
        while (first < bins && row[first] == 0.0f) {
            ++first;
        }
        std::size_t end = bins;
        while (end > first && row[end - 1] == 0.0f) {
            --end;
        }
        first_bin_[m] = static_cast<int>(first);
        end_bin_[m] = static_cast<int>(end);
    }
}

// Eight floats handled as one value: the compiler maps it to one AVX register or two SSE ones.
using Float8 = float __attribute__((vector_size(32)));

namespace {

// Writes columns k .. k + 7 of the eight rows at `rows` (row r starts at rows + r * stride) to
// `columns` in column-major order, so that columns[c * 8 + r] is row r, column k + c. Three
// rounds of shuffles replace 64 scalar loads and stores. Named variables rather than arrays
// keep every value in a register.
[[gnu::always_inline]] inline void transpose_tile(const float* rows, std::size_t stride,
                                                  std::size_t k, float* columns) {
    // The lambdas take and give vectors by reference, because vectors passed by value would
    // change the calling convention between the AVX2 and the baseline build.
    const auto load = [&](std::size_t r, Float8& row) {
        std::memcpy(&row, rows + r * stride + k, sizeof(row));
    };
    const auto store = [&](std::size_t c, const Float8& column) {
        std::memcpy(columns + c * 8, &column, sizeof(column));
    };
    Float8 r0, r1, r2, r3, r4, r5, r6, r7;
    load(0, r0);
    load(1, r1);
    load(2, r2);
    load(3, r3);
    load(4, r4);
    load(5, r5);
    load(6, r6);
    load(7, r7);
    // Interleave pairs of rows: t0 = {r0[0], r1[0], r0[1], r1[1], r0[4], r1[4], r0[5], r1[5]}.
    const Float8 t0 = __builtin_shufflevector(r0, r1, 0, 8, 1, 9, 4, 12, 5, 13);
    const Float8 t1 = __builtin_shufflevector(r0, r1, 2, 10, 3, 11, 6, 14, 7, 15);
    const Float8 t2 = __builtin_shufflevector(r2, r3, 0, 8, 1, 9, 4, 12, 5, 13);
    const Float8 t3 = __builtin_shufflevector(r2, r3, 2, 10, 3, 11, 6, 14, 7, 15);
    const Float8 t4 = __builtin_shufflevector(r4, r5, 0, 8, 1, 9, 4, 12, 5, 13);
    const Float8 t5 = __builtin_shufflevector(r4, r5, 2, 10, 3, 11, 6, 14, 7, 15);
    const Float8 t6 = __builtin_shufflevector(r6, r7, 0, 8, 1, 9, 4, 12, 5, 13);
    const Float8 t7 = __builtin_shufflevector(r6, r7, 2, 10, 3, 11, 6, 14, 7, 15);
    // Pairs of pairs: u0 = {r0[0], r1[0], r2[0], r3[0], r0[4], r1[4], r2[4], r3[4]}.
    const Float8 u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
    const Float8 u1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
    const Float8 u2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
    const Float8 u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
    const Float8 u4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
    const Float8 u5 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
    const Float8 u6 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
    const Float8 u7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
    // Column c < 4 joins the low halves of u_c (rows 0-3) and u_{c+4} (rows 4-7), column c + 4
    // the high halves.
    store(0, __builtin_shufflevector(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11));
    store(1, __builtin_shufflevector(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11));
    store(2, __builtin_shufflevector(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11));
    store(3, __builtin_shufflevector(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11));
    store(4, __builtin_shufflevector(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15));
    store(5, __builtin_shufflevector(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15));
    store(6, __builtin_shufflevector(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15));
    store(7, __builtin_shufflevector(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15));
}

}  // namespace

UADSCOPE_TARGET_CLONES void MelFilterBank::apply(std::span<const float> power,
                                                 std::span<float> mel) const {
    const auto bins = static_cast<std::size_t>(bins_);
    const auto mels = static_cast<std::size_t>(n_mels_);
    UADSCOPE_ASSERT(power.size() % bins == 0);
    const std::size_t frames = power.size() / bins;
    UADSCOPE_ASSERT(mel.size() == frames * mels);

    // Frames go through in blocks of eight, transposed to [bins][8 frames], so that each
    // multiply-add serves eight frames at once. The sums of non-negative terms are in float, as
    // in librosa's float32 matrix product.
    constexpr std::size_t block = 8;
    // Plain float storage: std::vector does not keep the 32-byte alignment of Float8, so
    // columns are copied in and out with memcpy. The buffer is kept per thread because
    // FeatureExtractor calls apply() for every block of eight frames.
    thread_local std::vector<float> transposed;
    transposed.resize(bins * block);
    for (std::size_t first_frame = 0; first_frame < frames; first_frame += block) {
        const std::size_t count = std::min(block, frames - first_frame);
        const float* rows = power.data() + first_frame * bins;
        std::size_t done = 0;
        if (count == block) {
            for (; done + block <= bins; done += block) {
                transpose_tile(rows, bins, done, transposed.data() + done * block);
            }
        } else {
            std::fill(transposed.begin(), transposed.end(), 0.0f);
        }
        for (std::size_t j = 0; j < count; ++j) {
            for (std::size_t k = done; k < bins; ++k) {
                transposed[k * block + j] = rows[j * bins + k];
            }
        }
        for (std::size_t m = 0; m < mels; ++m) {
            const float* weights = weights_.data() + m * bins;
            Float8 sums = {};
            for (auto k = static_cast<std::size_t>(first_bin_[m]);
                 k < static_cast<std::size_t>(end_bin_[m]); ++k) {
                Float8 column;
                std::memcpy(&column, transposed.data() + k * block, sizeof(column));
                sums += weights[k] * column;
            }
            for (std::size_t j = 0; j < count; ++j) {
                mel[(first_frame + j) * mels + m] = sums[j];
            }
        }
    }
}

}  // namespace uadscope::features
