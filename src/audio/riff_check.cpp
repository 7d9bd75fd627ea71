#include "audio/riff_check.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <string>

#include "core/error.h"

namespace uadscope::audio {
namespace {

constexpr std::int64_t chunk_header_bytes = 8;

std::uint32_t read_le32(const unsigned char* bytes) {
    return static_cast<std::uint32_t>(bytes[0]) | (static_cast<std::uint32_t>(bytes[1]) << 8) |
           (static_cast<std::uint32_t>(bytes[2]) << 16) |
           (static_cast<std::uint32_t>(bytes[3]) << 24);
}

// The chunk id as text for messages, with unprintable bytes as '?'.
std::string printable_id(const unsigned char* bytes) {
    std::string id;
    for (int i = 0; i < 4; ++i) {
        id += (bytes[i] >= 0x20 && bytes[i] < 0x7f) ? static_cast<char>(bytes[i]) : '?';
    }
    return id;
}

// Reads exactly `count` bytes at `offset`; false when the file is shorter.
bool read_exact(int fd, std::int64_t offset, unsigned char* buffer, std::size_t count) {
    std::size_t done = 0;
    while (done < count) {
        const auto got = ::pread(fd, buffer + done, count - done,
                                 static_cast<off_t>(offset + static_cast<std::int64_t>(done)));
        if (got <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(got);
    }
    return true;
}

struct ChunkHeader {
    std::string id;
    std::uint32_t size = 0;
    bool is_data = false;
};

ChunkHeader read_chunk_header(const std::filesystem::path& path, int fd, std::int64_t offset) {
    std::array<unsigned char, chunk_header_bytes> bytes{};
    if (!read_exact(fd, offset, bytes.data(), bytes.size())) {
        throw Error(
            fmt::format("{}: reading the chunk header at byte {} failed", path.string(), offset));
    }
    ChunkHeader header;
    header.id = printable_id(bytes.data());
    header.size = read_le32(bytes.data() + 4);
    header.is_data = header.id == "data";
    return header;
}

// Offset just past a chunk: RIFF pads chunks of odd size with one byte.
std::int64_t chunk_end(std::int64_t offset, std::uint32_t size) {
    return offset + chunk_header_bytes + size + (size & 1U);
}

// Returns the end of the last whole chunk after the data chunk ending at `offset`, or
// `offset` itself when a later chunk declares more bytes than the file holds.
std::int64_t trailing_chunks_end(const std::filesystem::path& path, int fd, std::int64_t file_size,
                                 std::int64_t offset) {
    std::int64_t position = offset;
    while (file_size - position >= chunk_header_bytes) {
        const auto header = read_chunk_header(path, fd, position);
        const std::int64_t end = position + chunk_header_bytes + header.size;
        if (end > file_size) {
            spdlog::debug(
                "{}: ignoring the '{}' chunk after the audio data: it declares {} bytes "
                "but only {} follow",
                path.string(), header.id, header.size, file_size - position - chunk_header_bytes);
            return offset;
        }
        position = chunk_end(position, header.size);
    }
    return file_size;
}

}  // namespace

RiffView check_riff(const std::filesystem::path& path, int fd, std::int64_t file_size) {
    RiffView view;
    view.length = file_size;

    std::array<unsigned char, 12> riff{};
    if (file_size < static_cast<std::int64_t>(riff.size()) ||
        !read_exact(fd, 0, riff.data(), riff.size()) || printable_id(riff.data()) != "RIFF" ||
        printable_id(riff.data() + 8) != "WAVE") {
        return view;
    }
    view.is_wave = true;

    std::int64_t block_align = 0;
    std::int64_t position = 12;
    while (true) {
        if (file_size - position < chunk_header_bytes) {
            throw Error(fmt::format(
                "{}: invalid WAV file: no data chunk before the end of the file at byte {}; the "
                "file is truncated or corrupt, so export or download it again",
                path.string(), file_size));
        }
        const auto header = read_chunk_header(path, fd, position);
        const std::int64_t body = position + chunk_header_bytes;
        const std::int64_t available = file_size - body;

        if (header.is_data) {
            if (header.size <= available) {
                // Chunks after the audio data do not matter for decoding, so a broken one is
                // cut off rather than rejected.
                const std::int64_t end =
                    trailing_chunks_end(path, fd, file_size, chunk_end(position, header.size));
                view.length = std::min(end, file_size);
                if (view.length < file_size) {
                    view.patches.push_back({4, static_cast<std::uint32_t>(view.length - 8)});
                }
                return view;
            }
            // A placeholder size such as 0xFFFFFFFF, or a file cut short: keep the whole
            // frames that are present.
            std::int64_t present = available;
            if (block_align > 0) {
                present -= present % block_align;
            }
            spdlog::debug("{}: the data chunk declares {} bytes but {} follow; reading {} bytes",
                          path.string(), header.size, available, present);
            view.length = body + present;
            view.patches.push_back({position + 4, static_cast<std::uint32_t>(present)});
            view.patches.push_back({4, static_cast<std::uint32_t>(view.length - 8)});
            return view;
        }

        if (header.size > available) {
            throw Error(fmt::format(
                "{}: invalid WAV file: the '{}' chunk at byte {} declares {} bytes but only {} "
                "follow; the file is truncated or corrupt, so export or download it again",
                path.string(), header.id, position, header.size, available));
        }
        if (header.id == "fmt " && header.size >= 14) {
            std::array<unsigned char, 2> align{};
            if (read_exact(fd, body + 12, align.data(), align.size())) {
                block_align = align[0] | (align[1] << 8);
            }
        }
        position = chunk_end(position, header.size);
    }
}

}  // namespace uadscope::audio
