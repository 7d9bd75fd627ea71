#pragma once

// A check of RIFF/WAVE chunk sizes before libsndfile opens a file.
//
// Recorders that stop abruptly leave a data chunk whose declared size is a placeholder
// (0xFFFFFFFF) or larger than the bytes written, sometimes ending in the middle of a sample.
// check_riff() finds such a data chunk and describes a corrected view of the file: the
// declared sizes are replaced by the bytes present, rounded down to whole frames. libsndfile
// 1.2.0 clamps these two cases itself as well; the check keeps the result independent of the
// libsndfile version. A chunk before the data chunk that declares more bytes than the file
// contains makes the file unreadable, and check_riff() rejects it with the chunk's name and
// offset, where libsndfile 1.2.0 only reports a missing data chunk.

#include <cstdint>
#include <filesystem>
#include <vector>

namespace uadscope::audio {

// Four bytes to write at `offset` of the corrected view (a little-endian size field).
struct BytePatch {
    std::int64_t offset = 0;
    std::uint32_t value = 0;
};

struct RiffView {
    std::int64_t length = 0;         // bytes of the corrected view (<= the file's length)
    std::vector<BytePatch> patches;  // size fields to replace, in the view's coordinates
    bool is_wave = false;            // the file starts with RIFF....WAVE
};

// Walks the chunk headers of the open file `fd` (`file_size` bytes long). A file that does
// not start with RIFF....WAVE gets the identity view. Throws Error naming `path` when a
// RIFF/WAVE file's chunks cannot be walked to a data chunk.
RiffView check_riff(const std::filesystem::path& path, int fd, std::int64_t file_size);

}  // namespace uadscope::audio
