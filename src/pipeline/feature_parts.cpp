#include "pipeline/feature_parts.h"

#include <cstring>
#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"

namespace uadscope::pipeline {

namespace fs = std::filesystem;

namespace {

constexpr char head_magic[8] = {'U', 'A', 'D', 'P', 'A', 'R', 'T', '1'};
constexpr char tail_magic[8] = {'U', 'A', 'D', 'P', 'E', 'N', 'D', '1'};

template <typename T>
void put(std::ofstream& out, const T& value) {
    out.write(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
bool get(std::ifstream& in, T& value) {
    return static_cast<bool>(in.read(reinterpret_cast<char*>(&value), sizeof value));
}

bool get_bytes(std::ifstream& in, void* data, std::size_t bytes) {
    return static_cast<bool>(
        in.read(static_cast<char*>(data), static_cast<std::streamsize>(bytes)));
}

}  // namespace

fs::path part_path(const fs::path& folder, std::int64_t file_id) {
    return folder / (std::to_string(file_id) + ".bin");
}

void write_part(const fs::path& path, const FeaturePart& part) {
    UADSCOPE_ASSERT(part.rows.values.size() ==
                    static_cast<std::size_t>(part.rows.frames * part.rows.dims));
    UADSCOPE_ASSERT(part.energy.size() == static_cast<std::size_t>(part.rows.frames));
    AtomicFile file(path);
    {
        std::ofstream out(file.temp_path(), std::ios::binary);
        out.write(head_magic, sizeof head_magic);
        put(out, part.file_id);
        put(out, part.rows.frames);
        put(out, part.rows.dims);
        put(out, static_cast<std::int64_t>(part.file_stamp.size()));
        out.write(part.file_stamp.data(), static_cast<std::streamsize>(part.file_stamp.size()));
        out.write(reinterpret_cast<const char*>(part.rows.values.data()),
                  static_cast<std::streamsize>(part.rows.values.size() * sizeof(float)));
        out.write(reinterpret_cast<const char*>(part.energy.data()),
                  static_cast<std::streamsize>(part.energy.size() * sizeof(float)));
        out.write(tail_magic, sizeof tail_magic);
        out.close();
        if (!out) {
            throw Error("cannot write '" + file.temp_path().string() +
                        "': check free disk space and permissions");
        }
    }
    file.commit();
}

namespace {

// Reads and checks the header of an open part file, leaving `in` at the first row value.
// Returns nothing when the part belongs to another file_id, stamp or dims, or when the
// file's size disagrees with the header (so a corrupt frame count never allocates).
std::optional<FeaturePart> read_header(std::ifstream& in, const fs::path& path,
                                       std::int64_t file_id, const std::string& file_stamp,
                                       std::int64_t dims) {
    char magic[8];
    FeaturePart part;
    std::int64_t stamp_size = 0;
    if (!get_bytes(in, magic, sizeof magic) || std::memcmp(magic, head_magic, sizeof magic) != 0 ||
        !get(in, part.file_id) || !get(in, part.rows.frames) || !get(in, part.rows.dims) ||
        !get(in, stamp_size)) {
        return std::nullopt;
    }
    if (part.file_id != file_id || part.rows.dims != dims || part.rows.frames < 0 ||
        stamp_size != static_cast<std::int64_t>(file_stamp.size())) {
        return std::nullopt;
    }
    std::error_code error;
    const auto file_size = fs::file_size(path, error);
    const std::uint64_t header_bytes = sizeof head_magic + 4 * sizeof(std::int64_t);
    const auto frames = static_cast<std::uint64_t>(part.rows.frames);
    if (error || frames > file_size ||
        file_size != header_bytes + file_stamp.size() +
                         frames * (static_cast<std::uint64_t>(dims) + 1) * sizeof(float) +
                         sizeof tail_magic) {
        return std::nullopt;
    }
    part.file_stamp.resize(file_stamp.size());
    if (!get_bytes(in, part.file_stamp.data(), part.file_stamp.size()) ||
        part.file_stamp != file_stamp) {
        return std::nullopt;
    }
    return part;
}

bool read_tail(std::ifstream& in) {
    char magic[8];
    return get_bytes(in, magic, sizeof magic) && std::memcmp(magic, tail_magic, sizeof magic) == 0;
}

}  // namespace

bool part_is_complete(const fs::path& path, std::int64_t file_id, const std::string& file_stamp,
                      std::int64_t dims) {
    std::ifstream in(path, std::ios::binary);
    if (!in || !read_header(in, path, file_id, file_stamp, dims)) {
        return false;
    }
    in.seekg(-static_cast<std::streamoff>(sizeof tail_magic), std::ios::end);
    return read_tail(in);
}

std::optional<FeaturePart> read_part(const fs::path& path, std::int64_t file_id,
                                     const std::string& file_stamp, std::int64_t dims) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    auto part = read_header(in, path, file_id, file_stamp, dims);
    if (!part) {
        return std::nullopt;
    }
    const auto frames = static_cast<std::size_t>(part->rows.frames);
    part->rows.values.resize(frames * static_cast<std::size_t>(dims));
    part->energy.resize(frames);
    if (!get_bytes(in, part->rows.values.data(), part->rows.values.size() * sizeof(float)) ||
        !get_bytes(in, part->energy.data(), part->energy.size() * sizeof(float)) ||
        !read_tail(in)) {
        return std::nullopt;
    }
    return part;
}

}  // namespace uadscope::pipeline
