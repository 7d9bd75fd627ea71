#pragma once

// 16-bit PCM WAV encoding of synthetic clips, in memory, so that the bytes can be compared
// with an existing file before anything is written.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace uadscope::synth {

// Rounds samples in [-1, 1] to 16-bit integers (x * 32767, to nearest), saturating outside.
std::vector<std::int16_t> quantize_pcm16(std::span<const double> samples);

// Returns the bytes of a mono 16-bit PCM WAV file written by libsndfile; throws Error when
// libsndfile reports a failure.
std::string encode_wav_pcm16(std::span<const std::int16_t> samples, int sample_rate);

}  // namespace uadscope::synth
