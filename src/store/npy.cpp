#include "store/npy.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <bit>
#include <cstring>
#include <fstream>
#include <numeric>
#include <regex>

#include "core/atomic_file.h"
#include "core/error.h"

namespace uadscope::store {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the .npy reader and writer assume a little-endian machine");

constexpr char magic[] = "\x93NUMPY";
constexpr std::size_t magic_bytes = 6;

std::size_t element_bytes(NpyType type) {
    return type == NpyType::float32 || type == NpyType::int32 ? 4 : 8;
}

std::int64_t shape_size(std::span<const std::int64_t> shape) {
    return std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>());
}

NpyType parse_descr(const std::filesystem::path& path, const std::string& descr) {
    if (descr == "<f4") {
        return NpyType::float32;
    }
    if (descr == "<f8") {
        return NpyType::float64;
    }
    if (descr == "<i4") {
        return NpyType::int32;
    }
    if (descr == "<i8") {
        return NpyType::int64;
    }
    throw Error(fmt::format("{}: unsupported .npy dtype '{}': expected <f4, <f8, <i4 or <i8",
                            path.string(), descr));
}

// The Python dict literal of a .npy header, for example
// {'descr': '<f4', 'fortran_order': False, 'shape': (513, 376), }
struct Header {
    NpyType type = NpyType::float64;
    bool fortran_order = false;
    std::vector<std::int64_t> shape;
};

Header parse_header(const std::filesystem::path& path, const std::string& text) {
    static const std::regex descr_pattern(R"('descr'\s*:\s*'([^']*)')");
    static const std::regex order_pattern(R"('fortran_order'\s*:\s*(True|False))");
    static const std::regex shape_pattern(R"('shape'\s*:\s*\(([^)]*)\))");
    std::smatch descr;
    std::smatch order;
    std::smatch shape;
    if (!std::regex_search(text, descr, descr_pattern) ||
        !std::regex_search(text, order, order_pattern) ||
        !std::regex_search(text, shape, shape_pattern)) {
        throw Error(fmt::format("{}: invalid .npy header '{}'", path.string(), text));
    }
    Header header;
    header.fortran_order = order[1] == "True";
    header.type = parse_descr(path, descr[1]);
    const std::string dims = shape[1];
    static const std::regex number(R"(\d+)");
    for (auto it = std::sregex_iterator(dims.begin(), dims.end(), number);
         it != std::sregex_iterator(); ++it) {
        header.shape.push_back(std::stoll(it->str()));
    }
    return header;
}

template <typename T>
void convert(const std::vector<char>& bytes, std::vector<double>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        T value;
        std::memcpy(&value, bytes.data() + i * sizeof(T), sizeof(T));
        values[i] = static_cast<double>(value);
    }
}

// Reorders Fortran-order (first index fastest) values into C order (last index fastest).
std::vector<double> fortran_to_c(const std::vector<double>& values,
                                 const std::vector<std::int64_t>& shape) {
    const std::size_t rank = shape.size();
    std::vector<std::int64_t> fortran_strides(rank, 1);
    for (std::size_t d = 1; d < rank; ++d) {
        fortran_strides[d] = fortran_strides[d - 1] * shape[d - 1];
    }
    std::vector<double> reordered(values.size());
    std::vector<std::int64_t> index(rank, 0);
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::int64_t offset = 0;
        for (std::size_t d = 0; d < rank; ++d) {
            offset += index[d] * fortran_strides[d];
        }
        reordered[i] = values[static_cast<std::size_t>(offset)];
        // Advance the C-order multi-index.
        for (std::size_t d = rank; d-- > 0;) {
            if (++index[d] < shape[d]) {
                break;
            }
            index[d] = 0;
        }
    }
    return reordered;
}

template <typename T>
void write_array(const std::filesystem::path& path, std::span<const T> values,
                 std::span<const std::int64_t> shape, NpyType type) {
    if (shape_size(shape) != static_cast<std::int64_t>(values.size())) {
        throw Error(
            fmt::format("{}: cannot write .npy: the shape holds {} values but {} were "
                        "given",
                        path.string(), shape_size(shape), values.size()));
    }
    // Python's tuple syntax, as numpy writes it: (), (5,) or (2, 3).
    std::string dims = fmt::format("{}", fmt::join(shape, ", "));
    if (shape.size() == 1) {
        dims += ',';
    }
    std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}",
                                     npy_descr(type), dims);
    // Version 1.0 has a 2-byte header length; the data start is padded to 64 bytes.
    const bool version2 = header.size() + magic_bytes + 2 + 2 + 1 > 65535;
    const std::size_t prefix = magic_bytes + 2 + (version2 ? 4 : 2);
    const std::size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
    header.append(total - prefix - header.size() - 1, ' ');
    header += '\n';

    std::string bytes(magic, magic_bytes);
    bytes += static_cast<char>(version2 ? 2 : 1);
    bytes += '\0';
    const auto length = static_cast<std::uint32_t>(header.size());
    bytes += static_cast<char>(length & 0xff);
    bytes += static_cast<char>((length >> 8) & 0xff);
    if (version2) {
        bytes += static_cast<char>((length >> 16) & 0xff);
        bytes += static_cast<char>((length >> 24) & 0xff);
    }
    bytes += header;
    const auto* data = reinterpret_cast<const char*>(values.data());
    bytes.append(data, values.size() * sizeof(T));
    write_file_atomic(path, bytes);
}

}  // namespace

std::string_view npy_descr(NpyType type) {
    switch (type) {
        case NpyType::float32:
            return "<f4";
        case NpyType::float64:
            return "<f8";
        case NpyType::int32:
            return "<i4";
        case NpyType::int64:
            return "<i8";
    }
    UADSCOPE_ASSERT(false);
}

std::int64_t NpyArray::size() const {
    return shape_size(shape);
}

std::vector<float> NpyArray::as_float() const {
    return {values.begin(), values.end()};
}

NpyArray read_npy(const std::filesystem::path& path) {
    std::ifstream stream(path, std::ios::binary);
    if (!stream) {
        throw Error(fmt::format("{}: cannot open .npy file", path.string()));
    }
    char prefix[8] = {};
    stream.read(prefix, sizeof(prefix));
    if (!stream || std::memcmp(prefix, magic, magic_bytes) != 0) {
        throw Error(fmt::format("{}: not a .npy file (no \\x93NUMPY magic)", path.string()));
    }
    const int major = static_cast<unsigned char>(prefix[6]);
    std::uint32_t header_length = 0;
    if (major == 1) {
        unsigned char length[2] = {};
        stream.read(reinterpret_cast<char*>(length), 2);
        header_length = length[0] | (length[1] << 8);
    } else if (major == 2 || major == 3) {
        unsigned char length[4] = {};
        stream.read(reinterpret_cast<char*>(length), 4);
        header_length = length[0] | (length[1] << 8) | (length[2] << 16) |
                        (static_cast<std::uint32_t>(length[3]) << 24);
    } else {
        throw Error(fmt::format("{}: unsupported .npy format version {}", path.string(), major));
    }
    std::string text(header_length, '\0');
    stream.read(text.data(), header_length);
    if (!stream) {
        throw Error(fmt::format("{}: truncated .npy header", path.string()));
    }
    const Header header = parse_header(path, text);

    NpyArray array;
    array.type = header.type;
    array.shape = header.shape;
    const auto count = static_cast<std::size_t>(array.size());
    const std::size_t bytes_needed = count * element_bytes(array.type);
    std::vector<char> bytes(bytes_needed);
    stream.read(bytes.data(), static_cast<std::streamsize>(bytes_needed));
    if (static_cast<std::size_t>(stream.gcount()) != bytes_needed) {
        throw Error(fmt::format("{}: truncated .npy data: the shape needs {} bytes but {} remain",
                                path.string(), bytes_needed, stream.gcount()));
    }
    array.values.resize(count);
    switch (array.type) {
        case NpyType::float32:
            convert<float>(bytes, array.values);
            break;
        case NpyType::float64:
            convert<double>(bytes, array.values);
            break;
        case NpyType::int32:
            convert<std::int32_t>(bytes, array.values);
            break;
        case NpyType::int64:
            convert<std::int64_t>(bytes, array.values);
            break;
    }
    if (header.fortran_order && array.shape.size() > 1) {
        array.values = fortran_to_c(array.values, array.shape);
    }
    return array;
}

void write_npy(const std::filesystem::path& path, std::span<const float> values,
               std::span<const std::int64_t> shape) {
    write_array(path, values, shape, NpyType::float32);
}
void write_npy(const std::filesystem::path& path, std::span<const double> values,
               std::span<const std::int64_t> shape) {
    write_array(path, values, shape, NpyType::float64);
}
void write_npy(const std::filesystem::path& path, std::span<const std::int32_t> values,
               std::span<const std::int64_t> shape) {
    write_array(path, values, shape, NpyType::int32);
}
void write_npy(const std::filesystem::path& path, std::span<const std::int64_t> values,
               std::span<const std::int64_t> shape) {
    write_array(path, values, shape, NpyType::int64);
}

}  // namespace uadscope::store
