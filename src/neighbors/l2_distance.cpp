#include "neighbors/l2_distance.h"

#include <immintrin.h>

#include "core/error.h"

namespace uadscope::neighbors {

float squared_l2_scalar(const float* a, const float* b, std::size_t d) {
    // Four partial sums let the compiler overlap the additions without -ffast-math.
    float sums[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    std::size_t i = 0;
    for (; i + 4 <= d; i += 4) {
        for (std::size_t lane = 0; lane < 4; ++lane) {
            const float diff = a[i + lane] - b[i + lane];
            sums[lane] += diff * diff;
        }
    }
    for (; i < d; ++i) {
        const float diff = a[i] - b[i];
        sums[0] += diff * diff;
    }
    return (sums[0] + sums[1]) + (sums[2] + sums[3]);
}

namespace {

__attribute__((target("avx2"))) float horizontal_sum(__m256 sum) {
    const __m128 half = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
    const __m128 quarter = _mm_add_ps(half, _mm_movehl_ps(half, half));
    return _mm_cvtss_f32(_mm_add_ss(quarter, _mm_shuffle_ps(quarter, quarter, 1)));
}

__attribute__((target("avx2,fma"))) float squared_l2_avx2(const float* a, const float* b,
                                                          std::size_t d) {
    __m256 sum0 = _mm256_setzero_ps();
    __m256 sum1 = _mm256_setzero_ps();
    std::size_t i = 0;
    for (; i + 16 <= d; i += 16) {
        const __m256 diff0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        const __m256 diff1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        sum0 = _mm256_fmadd_ps(diff0, diff0, sum0);
        sum1 = _mm256_fmadd_ps(diff1, diff1, sum1);
    }
    for (; i + 8 <= d; i += 8) {
        const __m256 diff = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        sum0 = _mm256_fmadd_ps(diff, diff, sum0);
    }
    float result = horizontal_sum(_mm256_add_ps(sum0, sum1));
    for (; i < d; ++i) {
        const float diff = a[i] - b[i];
        result += diff * diff;
    }
    return result;
}

__attribute__((target("avx512f"))) float squared_l2_avx512(const float* a, const float* b,
                                                           std::size_t d) {
    __m512 sum0 = _mm512_setzero_ps();
    __m512 sum1 = _mm512_setzero_ps();
    std::size_t i = 0;
    for (; i + 32 <= d; i += 32) {
        const __m512 diff0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        const __m512 diff1 =
            _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
        sum0 = _mm512_fmadd_ps(diff0, diff0, sum0);
        sum1 = _mm512_fmadd_ps(diff1, diff1, sum1);
    }
    if (i + 16 <= d) {
        const __m512 diff = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        sum0 = _mm512_fmadd_ps(diff, diff, sum0);
        i += 16;
    }
    if (i < d) {
        // Masked loads read only the remaining d - i elements.
        const auto mask = static_cast<__mmask16>((1u << (d - i)) - 1u);
        const __m512 diff =
            _mm512_sub_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i));
        sum1 = _mm512_fmadd_ps(diff, diff, sum1);
    }
    // The unmasked reductions and extracts trip -Wuninitialized inside GCC 12's header
    // (through _mm256_undefined_pd), so the halves come from zero-masked extracts.
    const __m512d sum = _mm512_castps_pd(_mm512_add_ps(sum0, sum1));
    const __m256 low = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xF, sum, 0));
    const __m256 high = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xF, sum, 1));
    return horizontal_sum(_mm256_add_ps(low, high));
}

__attribute__((target("avx2,fma,f16c"))) float squared_l2_half_avx2(const std::uint16_t* a,
                                                                    const std::uint16_t* b,
                                                                    std::size_t d) {
    __m256 sum0 = _mm256_setzero_ps();
    __m256 sum1 = _mm256_setzero_ps();
    std::size_t i = 0;
    for (; i + 16 <= d; i += 16) {
        const __m256 a0 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
        const __m256 b0 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
        const __m256 a1 =
            _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i + 8)));
        const __m256 b1 =
            _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i + 8)));
        const __m256 diff0 = _mm256_sub_ps(a0, b0);
        const __m256 diff1 = _mm256_sub_ps(a1, b1);
        sum0 = _mm256_fmadd_ps(diff0, diff0, sum0);
        sum1 = _mm256_fmadd_ps(diff1, diff1, sum1);
    }
    float result = horizontal_sum(_mm256_add_ps(sum0, sum1));
    for (; i < d; ++i) {
        const float diff = _cvtsh_ss(a[i]) - _cvtsh_ss(b[i]);
        result += diff * diff;
    }
    return result;
}

// The zero-masked conversions avoid the -Wmaybe-uninitialized of GCC 12's unmasked ones.
__attribute__((target("avx512f,f16c"))) float squared_l2_half_avx512(const std::uint16_t* a,
                                                                     const std::uint16_t* b,
                                                                     std::size_t d) {
    __m512 sum0 = _mm512_setzero_ps();
    __m512 sum1 = _mm512_setzero_ps();
    std::size_t i = 0;
    for (; i + 32 <= d; i += 32) {
        const __m512 a0 = _mm512_maskz_cvtph_ps(
            0xFFFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i)));
        const __m512 b0 = _mm512_maskz_cvtph_ps(
            0xFFFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i)));
        const __m512 a1 = _mm512_maskz_cvtph_ps(
            0xFFFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i + 16)));
        const __m512 b1 = _mm512_maskz_cvtph_ps(
            0xFFFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i + 16)));
        const __m512 diff0 = _mm512_sub_ps(a0, b0);
        const __m512 diff1 = _mm512_sub_ps(a1, b1);
        sum0 = _mm512_fmadd_ps(diff0, diff0, sum0);
        sum1 = _mm512_fmadd_ps(diff1, diff1, sum1);
    }
    for (; i + 16 <= d; i += 16) {
        const __m512 a0 = _mm512_maskz_cvtph_ps(
            0xFFFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i)));
        const __m512 b0 = _mm512_maskz_cvtph_ps(
            0xFFFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i)));
        const __m512 diff = _mm512_sub_ps(a0, b0);
        sum0 = _mm512_fmadd_ps(diff, diff, sum0);
    }
    const __m512d sum = _mm512_castps_pd(_mm512_add_ps(sum0, sum1));
    const __m256 low = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xF, sum, 0));
    const __m256 high = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xF, sum, 1));
    float result = horizontal_sum(_mm256_add_ps(low, high));
    for (; i < d; ++i) {
        const float diff = _cvtsh_ss(a[i]) - _cvtsh_ss(b[i]);
        result += diff * diff;
    }
    return result;
}

__attribute__((target("avx2,f16c"))) void floats_to_half_f16c(const float* values,
                                                              std::uint16_t* halves,
                                                              std::size_t d) {
    std::size_t i = 0;
    for (; i + 8 <= d; i += 8) {
        const __m128i converted =
            _mm256_cvtps_ph(_mm256_loadu_ps(values + i), _MM_FROUND_TO_NEAREST_INT);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(halves + i), converted);
    }
    for (; i < d; ++i) {
        halves[i] = _cvtss_sh(values[i], _MM_FROUND_TO_NEAREST_INT);
    }
}

enum class Isa { avx512, avx2, scalar };

Isa detect_isa() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        return Isa::avx512;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        return Isa::avx2;
    }
    return Isa::scalar;
}

Isa cpu_isa() {
    static const Isa isa = detect_isa();
    return isa;
}

}  // namespace

SquaredL2Function squared_l2_kernel() {
    switch (cpu_isa()) {
        case Isa::avx512:
            return squared_l2_avx512;
        case Isa::avx2:
            return squared_l2_avx2;
        case Isa::scalar:
            break;
    }
    return squared_l2_scalar;
}

SquaredL2HalfFunction squared_l2_half_kernel() {
    switch (cpu_isa()) {
        case Isa::avx512:
            return __builtin_cpu_supports("f16c") ? squared_l2_half_avx512 : nullptr;
        case Isa::avx2:
            return __builtin_cpu_supports("f16c") ? squared_l2_half_avx2 : nullptr;
        case Isa::scalar:
            break;
    }
    return nullptr;
}

void floats_to_half(const float* values, std::uint16_t* halves, std::size_t d) {
    UADSCOPE_ASSERT(squared_l2_half_kernel() != nullptr);
    floats_to_half_f16c(values, halves, d);
}

const char* squared_l2_kernel_name() {
    switch (cpu_isa()) {
        case Isa::avx512:
            return "avx512";
        case Isa::avx2:
            return "avx2";
        case Isa::scalar:
            break;
    }
    return "scalar";
}

}  // namespace uadscope::neighbors
