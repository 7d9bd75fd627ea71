#pragma once

// HTTP byte ranges (RFC 9110, section 14) and the WAV bodies they slice.
//
// cpp-httplib 0.11.4 applies Range headers itself, but it does not clamp a range that runs
// past the end (it sends "Content-Range: bytes 0-99999/100"), its 416 carries no
// "bytes */<size>", and it responds 416 to a header it cannot parse where RFC 9110 says to
// ignore it. So the audio route evaluates ranges here, every other route ignores them, and
// the server keeps the library from applying them a second time.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace uadscope::server {

struct RangeDecision {
    enum class Kind {
        full,           // no usable Range header: 200 with the whole body
        partial,        // 206 with bytes [first, last] and Content-Range
        unsatisfiable,  // 416 with "Content-Range: bytes */<size>"
    };
    Kind kind = Kind::full;
    std::uint64_t first = 0;
    std::uint64_t last = 0;  // inclusive
};

// Evaluates a Range header value for a body of `size` bytes. Only one "bytes=" range is
// honoured ("a-b", "a-" or the suffix "-n"); several ranges, other units or malformed text
// give a full response, which RFC 9110 allows.
RangeDecision decide_range(std::string_view header, std::uint64_t size);

// Content-Range value of a partial response: "bytes <first>-<last>/<size>".
std::string content_range(const RangeDecision& range, std::uint64_t size);

// Encodes mono samples in [-1, 1] as a 16-bit PCM WAV file (RIFF header, 44 bytes), rounding
// to the nearest step and clipping values outside [-1, 1].
std::string encode_wav(std::span<const float> samples, int sample_rate);

}  // namespace uadscope::server
