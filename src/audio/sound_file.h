#pragma once

// An audio file opened with libsndfile through a virtual-IO layer that applies the
// corrections of check_riff() (see riff_check.h), so that libsndfile never reads a RIFF size
// field larger than the bytes present.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "audio/sample_summary.h"

namespace uadscope::audio {

class SoundFile {
  public:
    // Opens `path` for reading; throws Error naming the file when it is missing, empty,
    // malformed or in a format libsndfile cannot decode.
    explicit SoundFile(const std::filesystem::path& path);
    ~SoundFile();
    SoundFile(const SoundFile&) = delete;
    SoundFile& operator=(const SoundFile&) = delete;

    int sample_rate() const;
    int channels() const;
    std::int64_t frames() const;  // per channel, as the header states
    // libsndfile's names of the container and the encoding, e.g. "WAV (Microsoft), Signed 16
    // bit PCM".
    std::string format() const;

    // Moves the read position to frame `frame` (0 <= frame <= frames()).
    void seek(std::int64_t frame);

    // Decodes up to `count` frames from the read position, appends their channel means to
    // `mono` and returns the number of frames appended (fewer at the end of the file).
    // When `summary` is not null, it receives the sum and range of the appended samples. They
    // are gathered exactly only for 16-bit PCM with a power-of-two channel count up to 256,
    // where every channel mean is exact in float. For other files summary->known is false.
    // Throws Error naming the file on a decoding error.
    std::int64_t read_mono(std::int64_t count, std::vector<float>& mono,
                           SampleSummary* summary = nullptr);

    // Opaque decoder state; public only so that libsndfile's virtual-IO callbacks can use it.
    struct State;

  private:
    std::unique_ptr<State> state_;
};

}  // namespace uadscope::audio
