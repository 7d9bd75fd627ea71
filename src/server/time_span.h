#pragma once

// Time spans behind map points.
//
// Frames come from a centred STFT (librosa's center=True): frame i is centred on sample
// i * hop_length and its window covers [i * hop_length - n_fft / 2, i * hop_length + n_fft / 2).
// A point that stacks k frames starting at frame f therefore covers
// [f * hop_length - n_fft / 2, (f + k - 1) * hop_length + n_fft / 2) samples at the feature
// sample rate, clamped to the file. Embeddings with their own hop (hop_seconds) use the same
// rule with window_seconds as the window (the hop when no window is recorded).

#include <cstdint>
#include <map>
#include <string>

namespace uadscope::server {

// Defaults of the feature pipeline, used when neither the map nor the feature file records
// its timing.
inline constexpr double default_sample_rate = 16000;
inline constexpr double default_hop_length = 512;
inline constexpr double default_n_fft = 1024;

struct FrameTiming {
    double hop_s = default_hop_length / default_sample_rate;  // seconds between frame centres
    double window_s = default_n_fft / default_sample_rate;    // seconds one frame's window covers
};

// Reads the timing from file attributes: sample_rate with hop_length and n_fft, or
// hop_seconds with window_seconds. Attributes that are missing keep `fallback`'s values.
FrameTiming timing_from_attributes(const std::map<std::string, double>& numbers,
                                   const FrameTiming& fallback = {});

struct TimeSpan {
    double start_s = 0;
    double end_s = 0;
};

// Span in seconds of the point that stacks `stack` frames from `frame`, clamped to
// [0, duration_s]; an unknown duration (NaN) clamps only at 0.
TimeSpan point_span(std::int64_t frame, std::int64_t stack, const FrameTiming& timing,
                    double duration_s);

}  // namespace uadscope::server
