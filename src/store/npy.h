#pragma once

// NumPy .npy files (format versions 1.0 to 3.0): little-endian, C-order arrays of float32,
// float64, int32 or int64, as numpy.save writes them and numpy.load reads them.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uadscope::store {

enum class NpyType { float32, float64, int32, int64 };

// The numpy dtype string of `type`, for example "<f4".
std::string_view npy_descr(NpyType type);

// An array read from a .npy file. Values are converted to double on reading (exact for
// float32, float64, int32, and int64 up to 2^53 in magnitude).
struct NpyArray {
    NpyType type = NpyType::float64;
    std::vector<std::int64_t> shape;  // empty for a 0-d array
    std::vector<double> values;       // C order (last index fastest), product of shape elements

    std::int64_t size() const;
    // values converted to float32 (rounding float64 values to nearest)
    std::vector<float> as_float() const;
};

// Reads `path`; a Fortran-order array (numpy saves one for a transposed or F-contiguous array)
// is reordered to C order. Throws Error naming the file for a missing file, a bad header, a
// big-endian or unsupported dtype, or fewer data bytes than the shape needs.
NpyArray read_npy(const std::filesystem::path& path);

// Writes `values` (C order, `shape` product elements) to `path` atomically as format 1.0
// (2.0 when the header exceeds 65535 bytes). Throws Error when the sizes disagree.
void write_npy(const std::filesystem::path& path, std::span<const float> values,
               std::span<const std::int64_t> shape);
void write_npy(const std::filesystem::path& path, std::span<const double> values,
               std::span<const std::int64_t> shape);
void write_npy(const std::filesystem::path& path, std::span<const std::int32_t> values,
               std::span<const std::int64_t> shape);
void write_npy(const std::filesystem::path& path, std::span<const std::int64_t> values,
               std::span<const std::int64_t> shape);

}  // namespace uadscope::store
