#pragma once

// A small HDF5 layer for uadscope's feature and map files.
//
// Arrays are row-major; a 2-D dataset has shape [rows, cols] and a 1-D one [rows].
// Files are created through AtomicFile by the callers that write final outputs, so that
// an interrupted run never leaves a half-written file under its final name.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace uadscope::store {

// Element types stored in datasets.
template <typename T>
concept H5Element =
    std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::int32_t> ||
    std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::uint8_t>;

struct Shape {
    std::int64_t rows = 0;
    std::int64_t cols = 1;  // 1 for a 1-D dataset
    bool one_dimensional = true;
};

class H5File {
  public:
    // Creates (truncating) a file for writing.
    static H5File create(const std::filesystem::path& path);
    // Opens an existing file read-only; throws Error naming the file when it is missing or
    // not HDF5.
    static H5File open(const std::filesystem::path& path);

    H5File(H5File&&) noexcept;
    H5File& operator=(H5File&&) noexcept;
    ~H5File();

    const std::filesystem::path& path() const;
    bool has_dataset(const std::string& name) const;
    Shape shape(const std::string& name) const;
    // True when the dataset stores floating-point values (integers would be converted
    // silently by read<float>).
    bool is_float(const std::string& name) const;

    // Writes a 1-D dataset of values.size() elements.
    template <H5Element T>
    void write(const std::string& name, std::span<const T> values);
    // Writes a 2-D dataset [rows, cols] from values (rows * cols elements), chunked by
    // chunk_rows rows (0 picks a chunk of about 1 MiB) and deflate-compressed when
    // `compress` is set.
    template <H5Element T>
    void write_matrix(const std::string& name, std::span<const T> values, std::int64_t rows,
                      std::int64_t cols, std::int64_t chunk_rows = 0, bool compress = false);
    // Reads a whole dataset (1-D or 2-D, row-major) converting to T.
    template <H5Element T>
    std::vector<T> read(const std::string& name) const;
    // Reads rows [first, first + count) of a 2-D (or 1-D) dataset.
    template <H5Element T>
    std::vector<T> read_rows(const std::string& name, std::int64_t first, std::int64_t count) const;

    // Growing 2-D dataset for outputs too large to hold in memory: create, then append
    // blocks of whole rows.
    void create_extendable(const std::string& name, bool is_float, std::int64_t cols,
                           std::int64_t chunk_rows);
    void append_rows(const std::string& name, std::span<const float> values);

    // Variable-length UTF-8 string datasets (h5py reads them as bytes or str).
    void write_strings(const std::string& name, const std::vector<std::string>& values);
    std::vector<std::string> read_strings(const std::string& name) const;

    // Attributes on the root group.
    void set_attribute(const std::string& name, const std::string& value);
    void set_attribute(const std::string& name, const char* value);
    void set_attribute(const std::string& name, double value);
    void set_attribute(const std::string& name, std::int64_t value);
    void set_attribute(const std::string& name, int value);
    // Stored as an unsigned 64-bit integer (h5py reads numpy.uint64), for values such as
    // seeds that a float64 cannot hold exactly above 2^53.
    void set_attribute(const std::string& name, std::uint64_t value);
    bool has_attribute(const std::string& name) const;
    std::string attribute_string(const std::string& name) const;
    double attribute_double(const std::string& name) const;
    std::int64_t attribute_int(const std::string& name) const;
    // Reads an unsigned integer attribute, or a float one holding a non-negative whole
    // number (as older files store seeds); throws Error naming the attribute otherwise.
    std::uint64_t attribute_uint64(const std::string& name) const;
    std::vector<std::string> attribute_names() const;

  private:
    struct Impl;
    explicit H5File(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace uadscope::store
