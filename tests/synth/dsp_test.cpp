#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "core/random.h"
#include "synth/dsp.h"
#include "synth/spectrum.h"

namespace uadscope::synth {
namespace {

constexpr double sample_rate = 16000.0;

TEST(Resonator, ImpulseResponseDecaysAtGivenRate) {
    const double frequency = 1000.0;
    const double decay = 0.01;
    Biquad resonator = Biquad::resonator(frequency, decay, sample_rate);
    std::vector<double> response(1600, 0.0);
    response[0] = 1.0;
    resonator.process(response);
    // r^n sin((n + 1) w): the reference formula of the two-pole resonator.
    const double w = 2.0 * std::numbers::pi * frequency / sample_rate;
    const double r = std::exp(-1.0 / (decay * sample_rate));
    for (std::size_t n = 0; n < response.size(); ++n) {
        const double expected =
            std::pow(r, static_cast<double>(n)) * std::sin(static_cast<double>(n + 1) * w);
        ASSERT_NEAR(response[n], expected, 1e-9) << "sample " << n;
    }
}

TEST(Biquad, BandpassPassesCentreRejectsFar) {
    auto gain_at = [](Biquad filter, double frequency) {
        std::vector<double> tone(16000);
        for (std::size_t n = 0; n < tone.size(); ++n) {
            tone[n] =
                std::sin(2.0 * std::numbers::pi * frequency * static_cast<double>(n) / sample_rate);
        }
        filter.process(tone);
        // Skip the first half while the filter settles.
        return rms(std::span<const double>(tone).subspan(8000)) / std::sqrt(0.5);
    };
    const Biquad bandpass = Biquad::bandpass(1000.0, 2.0, sample_rate);
    EXPECT_NEAR(gain_at(bandpass, 1000.0), 1.0, 0.01);
    EXPECT_LT(gain_at(bandpass, 100.0), 0.1);
    const Biquad lowpass = Biquad::lowpass(1000.0, 0.7071, sample_rate);
    EXPECT_NEAR(gain_at(lowpass, 1000.0), 0.7071, 0.01);  // -3 dB at the Butterworth cutoff
    EXPECT_NEAR(gain_at(lowpass, 100.0), 1.0, 0.01);
    const Biquad highpass = Biquad::highpass(1000.0, 0.7071, sample_rate);
    EXPECT_NEAR(gain_at(highpass, 1000.0), 0.7071, 0.01);
    EXPECT_LT(gain_at(highpass, 100.0), 0.02);  // -40 dB per decade, two decades down
}

TEST(SlopeFilter, WhiteNoiseGetsRequestedSlope) {
    for (const double slope : {-3.0, -5.0}) {
        Rng rng(3);
        std::vector<double> noise = white_noise(rng, 65536);
        SlopeFilter filter(slope, 30.0, 6000.0, sample_rate);
        filter.process(noise);
        const auto power = oracle::power_spectrum(noise, 65536);
        // Band power per octave falls by `slope` dB per octave on a flat-per-Hz scale plus
        // +3 dB per octave for the doubling band width.
        const double low = oracle::band_power(power, 65536, sample_rate, 250.0, 500.0);
        const double high = oracle::band_power(power, 65536, sample_rate, 2000.0, 4000.0);
        const double measured_per_octave = 10.0 * std::log10(high / low) / 3.0 - 3.01;
        // One pole-zero pair per octave ripples by about +-0.5 dB; noise adds a little more.
        EXPECT_NEAR(measured_per_octave, slope, 0.5) << "slope " << slope;
    }
}

TEST(WhiteNoise, UnitVarianceZeroMean) {
    Rng rng(1);
    const std::vector<double> noise = white_noise(rng, 100000);
    double mean = 0.0;
    for (const double x : noise) {
        mean += x;
        ASSERT_LE(std::abs(x), std::sqrt(3.0));
    }
    mean /= static_cast<double>(noise.size());
    // Standard error of the mean is 1 / sqrt(1e5) = 0.003.
    EXPECT_NEAR(mean, 0.0, 0.015);
    EXPECT_NEAR(rms(noise), 1.0, 0.01);
}

TEST(Rms, EmptyAndSilent) {
    EXPECT_EQ(rms(std::vector<double>{}), 0.0);
    std::vector<double> zeros(10, 0.0);
    normalise_rms(zeros);
    for (const double x : zeros) {
        EXPECT_EQ(x, 0.0);
    }
    std::vector<double> values = {3.0, -3.0};
    normalise_rms(values);
    EXPECT_DOUBLE_EQ(values[0], 1.0);
    EXPECT_DOUBLE_EQ(values[1], -1.0);
}

TEST(AddMode, StartsAtOnsetAndStaysInBounds) {
    std::vector<double> signal(1000, 0.0);
    add_mode(signal, sample_rate, 0.05, 1000.0, 0.002, 1.0, std::numbers::pi / 2.0);
    // Onset at sample 800: nothing before it, cos(0) = 1 at it.
    for (std::size_t n = 0; n < 800; ++n) {
        ASSERT_EQ(signal[n], 0.0) << n;
    }
    EXPECT_NEAR(signal[800], 1.0, 1e-12);
    // A mode that starts before the signal leaves only its tail; one past the end adds nothing.
    std::vector<double> tail(100, 0.0);
    add_mode(tail, sample_rate, -0.001, 1000.0, 0.002, 1.0, 0.0);
    EXPECT_NE(tail[0], 0.0);
    std::vector<double> none(100, 0.0);
    add_mode(none, sample_rate, 1.0, 1000.0, 0.002, 1.0, 0.0);
    for (const double x : none) {
        ASSERT_EQ(x, 0.0);
    }
}

}  // namespace
}  // namespace uadscope::synth
