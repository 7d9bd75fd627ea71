#include "store/h5.h"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>

#include "core/error.h"

namespace uadscope::store {

namespace {

// The HDF5 library of Debian 12 is built without thread safety, so every call into it
// goes through this lock.
std::recursive_mutex& h5_mutex() {
    static std::recursive_mutex mutex;
    return mutex;
}

// Owns one HDF5 identifier and closes it with the matching function.
class Handle {
  public:
    Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle(Handle&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
    Handle& operator=(Handle&&) = delete;
    ~Handle() {
        if (id_ >= 0) {
            close_(id_);
        }
    }
    hid_t get() const { return id_; }
    bool valid() const { return id_ >= 0; }

  private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

template <typename T>
hid_t memory_type() {
    if constexpr (std::is_same_v<T, float>) {
        return H5T_NATIVE_FLOAT;
    } else if constexpr (std::is_same_v<T, double>) {
        return H5T_NATIVE_DOUBLE;
    } else if constexpr (std::is_same_v<T, std::int32_t>) {
        return H5T_NATIVE_INT32;
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
        return H5T_NATIVE_INT64;
    } else if constexpr (std::is_same_v<T, std::uint64_t>) {
        return H5T_NATIVE_UINT64;
    } else {
        return H5T_NATIVE_UINT8;
    }
}

// Little-endian file types, so files look the same wherever they were written.
template <typename T>
hid_t file_type() {
    if constexpr (std::is_same_v<T, float>) {
        return H5T_IEEE_F32LE;
    } else if constexpr (std::is_same_v<T, double>) {
        return H5T_IEEE_F64LE;
    } else if constexpr (std::is_same_v<T, std::int32_t>) {
        return H5T_STD_I32LE;
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
        return H5T_STD_I64LE;
    } else if constexpr (std::is_same_v<T, std::uint64_t>) {
        return H5T_STD_U64LE;
    } else {
        return H5T_STD_U8LE;
    }
}

Handle string_type() {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    return type;
}

}  // namespace

struct H5File::Impl {
    std::filesystem::path path;
    hid_t file = -1;
    bool writable = false;

    ~Impl() {
        if (file >= 0) {
            std::lock_guard lock(h5_mutex());
            H5Fclose(file);
        }
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw Error("HDF5 file '" + path.string() + "': " + what);
    }

    Handle open_dataset(const std::string& name) const {
        if (H5Lexists(file, name.c_str(), H5P_DEFAULT) <= 0) {
            fail("dataset '" + name + "' not found; the file may come from an older " +
                 "uadscope or another tool: recreate it with the stage that writes it");
        }
        Handle dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
        if (!dataset.valid()) {
            fail("cannot open dataset '" + name + "'");
        }
        return dataset;
    }

    void require_writable() const {
        if (!writable) {
            fail("opened read-only");
        }
    }
};

H5File::H5File(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
H5File::H5File(H5File&&) noexcept = default;
H5File& H5File::operator=(H5File&&) noexcept = default;
H5File::~H5File() = default;

H5File H5File::create(const std::filesystem::path& path) {
    std::lock_guard lock(h5_mutex());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->writable = true;
    impl->file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (impl->file < 0) {
        throw Error("cannot create HDF5 file '" + path.string() +
                    "': check that its folder exists and is writable");
    }
    return H5File(std::move(impl));
}

H5File H5File::open(const std::filesystem::path& path) {
    std::lock_guard lock(h5_mutex());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    if (!std::filesystem::exists(path)) {
        throw Error("HDF5 file '" + path.string() + "' not found");
    }
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (impl->file < 0) {
        throw Error("cannot open '" + path.string() +
                    "' as HDF5: the file is damaged or not HDF5; delete it and rerun the stage "
                    "that writes it");
    }
    return H5File(std::move(impl));
}

const std::filesystem::path& H5File::path() const {
    return impl_->path;
}

bool H5File::has_dataset(const std::string& name) const {
    std::lock_guard lock(h5_mutex());
    return H5Lexists(impl_->file, name.c_str(), H5P_DEFAULT) > 0;
}

Shape H5File::shape(const std::string& name) const {
    std::lock_guard lock(h5_mutex());
    Handle dataset = impl_->open_dataset(name);
    Handle space(H5Dget_space(dataset.get()), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 1 || rank > 2) {
        impl_->fail("dataset '" + name + "' has rank " + std::to_string(rank) +
                    "; expected 1 or 2");
    }
    hsize_t dims[2] = {0, 1};
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    Shape shape;
    shape.rows = static_cast<std::int64_t>(dims[0]);
    shape.cols = rank == 2 ? static_cast<std::int64_t>(dims[1]) : 1;
    shape.one_dimensional = rank == 1;
    return shape;
}

bool H5File::is_float(const std::string& name) const {
    std::lock_guard lock(h5_mutex());
    Handle dataset = impl_->open_dataset(name);
    Handle type(H5Dget_type(dataset.get()), H5Tclose);
    return H5Tget_class(type.get()) == H5T_FLOAT;
}

template <H5Element T>
void H5File::write(const std::string& name, std::span<const T> values) {
    std::lock_guard lock(h5_mutex());
    impl_->require_writable();
    const hsize_t dims[1] = {values.size()};
    Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
    Handle dataset(H5Dcreate2(impl_->file, name.c_str(), file_type<T>(), space.get(), H5P_DEFAULT,
                              H5P_DEFAULT, H5P_DEFAULT),
                   H5Dclose);
    if (!dataset.valid()) {
        impl_->fail("cannot create dataset '" + name + "'");
    }
    if (!values.empty() && H5Dwrite(dataset.get(), memory_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                    values.data()) < 0) {
        impl_->fail("cannot write dataset '" + name + "': check free disk space");
    }
}

template <H5Element T>
void H5File::write_matrix(const std::string& name, std::span<const T> values, std::int64_t rows,
                          std::int64_t cols, std::int64_t chunk_rows, bool compress) {
    std::lock_guard lock(h5_mutex());
    impl_->require_writable();
    UADSCOPE_ASSERT(rows >= 0 && cols > 0);
    UADSCOPE_ASSERT(static_cast<std::int64_t>(values.size()) == rows * cols);
    const hsize_t dims[2] = {static_cast<hsize_t>(rows), static_cast<hsize_t>(cols)};
    Handle space(H5Screate_simple(2, dims, nullptr), H5Sclose);
    Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (rows > 0) {
        if (chunk_rows <= 0) {
            const std::int64_t row_bytes = cols * static_cast<std::int64_t>(sizeof(T));
            chunk_rows = std::max<std::int64_t>(1, (1 << 20) / row_bytes);
        }
        const hsize_t chunk[2] = {static_cast<hsize_t>(std::min(chunk_rows, rows)),
                                  static_cast<hsize_t>(cols)};
        H5Pset_chunk(properties.get(), 2, chunk);
        if (compress) {
            H5Pset_shuffle(properties.get());
            H5Pset_deflate(properties.get(), 4);
        }
    }
    Handle dataset(H5Dcreate2(impl_->file, name.c_str(), file_type<T>(), space.get(), H5P_DEFAULT,
                              properties.get(), H5P_DEFAULT),
                   H5Dclose);
    if (!dataset.valid()) {
        impl_->fail("cannot create dataset '" + name + "'");
    }
    if (rows > 0 && H5Dwrite(dataset.get(), memory_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                             values.data()) < 0) {
        impl_->fail("cannot write dataset '" + name + "': check free disk space");
    }
}

template <H5Element T>
std::vector<T> H5File::read(const std::string& name) const {
    const Shape dims = shape(name);
    return read_rows<T>(name, 0, dims.rows);
}

template <H5Element T>
std::vector<T> H5File::read_rows(const std::string& name, std::int64_t first,
                                 std::int64_t count) const {
    std::lock_guard lock(h5_mutex());
    const Shape dims = shape(name);
    if (first < 0 || count < 0 || first + count > dims.rows) {
        impl_->fail("rows " + std::to_string(first) + ".." + std::to_string(first + count) +
                    " of dataset '" + name + "' are out of range (it has " +
                    std::to_string(dims.rows) + " rows)");
    }
    std::vector<T> values(static_cast<std::size_t>(count * dims.cols));
    if (count == 0) {
        return values;
    }
    Handle dataset = impl_->open_dataset(name);
    Handle file_space(H5Dget_space(dataset.get()), H5Sclose);
    const int rank = dims.one_dimensional ? 1 : 2;
    const hsize_t start[2] = {static_cast<hsize_t>(first), 0};
    const hsize_t size[2] = {static_cast<hsize_t>(count), static_cast<hsize_t>(dims.cols)};
    H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, size, nullptr);
    Handle memory_space(H5Screate_simple(rank, size, nullptr), H5Sclose);
    if (H5Dread(dataset.get(), memory_type<T>(), memory_space.get(), file_space.get(), H5P_DEFAULT,
                values.data()) < 0) {
        impl_->fail("cannot read dataset '" + name + "'; the file may be damaged");
    }
    return values;
}

void H5File::create_extendable(const std::string& name, bool is_float, std::int64_t cols,
                               std::int64_t chunk_rows) {
    std::lock_guard lock(h5_mutex());
    impl_->require_writable();
    UADSCOPE_ASSERT(is_float && cols > 0 && chunk_rows > 0);
    const hsize_t dims[2] = {0, static_cast<hsize_t>(cols)};
    const hsize_t max_dims[2] = {H5S_UNLIMITED, static_cast<hsize_t>(cols)};
    Handle space(H5Screate_simple(2, dims, max_dims), H5Sclose);
    Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    const hsize_t chunk[2] = {static_cast<hsize_t>(chunk_rows), static_cast<hsize_t>(cols)};
    H5Pset_chunk(properties.get(), 2, chunk);
    Handle dataset(H5Dcreate2(impl_->file, name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT,
                              properties.get(), H5P_DEFAULT),
                   H5Dclose);
    if (!dataset.valid()) {
        impl_->fail("cannot create dataset '" + name + "'");
    }
}

void H5File::append_rows(const std::string& name, std::span<const float> values) {
    std::lock_guard lock(h5_mutex());
    impl_->require_writable();
    const Shape dims = shape(name);
    UADSCOPE_ASSERT(values.size() % static_cast<std::size_t>(dims.cols) == 0);
    const auto added = static_cast<hsize_t>(values.size()) / static_cast<hsize_t>(dims.cols);
    if (added == 0) {
        return;
    }
    Handle dataset = impl_->open_dataset(name);
    const hsize_t new_dims[2] = {static_cast<hsize_t>(dims.rows) + added,
                                 static_cast<hsize_t>(dims.cols)};
    if (H5Dset_extent(dataset.get(), new_dims) < 0) {
        impl_->fail("cannot extend dataset '" + name + "'");
    }
    Handle file_space(H5Dget_space(dataset.get()), H5Sclose);
    const hsize_t start[2] = {static_cast<hsize_t>(dims.rows), 0};
    const hsize_t size[2] = {added, static_cast<hsize_t>(dims.cols)};
    H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, size, nullptr);
    Handle memory_space(H5Screate_simple(2, size, nullptr), H5Sclose);
    if (H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, memory_space.get(), file_space.get(), H5P_DEFAULT,
                 values.data()) < 0) {
        impl_->fail("cannot append to dataset '" + name + "': check free disk space");
    }
}

void H5File::write_strings(const std::string& name, const std::vector<std::string>& values) {
    std::lock_guard lock(h5_mutex());
    impl_->require_writable();
    std::vector<const char*> pointers;
    pointers.reserve(values.size());
    for (const auto& value : values) {
        pointers.push_back(value.c_str());
    }
    const hsize_t dims[1] = {values.size()};
    Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
    Handle type = string_type();
    Handle dataset(H5Dcreate2(impl_->file, name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                              H5P_DEFAULT, H5P_DEFAULT),
                   H5Dclose);
    if (!dataset.valid()) {
        impl_->fail("cannot create dataset '" + name + "'");
    }
    if (!values.empty() &&
        H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0) {
        impl_->fail("cannot write dataset '" + name + "'");
    }
}

std::vector<std::string> H5File::read_strings(const std::string& name) const {
    std::lock_guard lock(h5_mutex());
    Handle dataset = impl_->open_dataset(name);
    Handle space(H5Dget_space(dataset.get()), H5Sclose);
    const auto count = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
    std::vector<std::string> values;
    values.reserve(count);
    if (count == 0) {
        return values;
    }
    Handle stored_type(H5Dget_type(dataset.get()), H5Tclose);
    if (H5Tget_class(stored_type.get()) != H5T_STRING) {
        impl_->fail("dataset '" + name + "' does not contain strings");
    }
    if (H5Tis_variable_str(stored_type.get()) > 0) {
        Handle type = string_type();
        std::vector<char*> pointers(count, nullptr);
        if (H5Dread(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) <
            0) {
            impl_->fail("cannot read dataset '" + name + "'");
        }
        for (char* pointer : pointers) {
            values.emplace_back(pointer ? pointer : "");
        }
        H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, pointers.data());
        return values;
    }
    // Fixed-length strings, as numpy's "S" arrays are stored by h5py.
    const std::size_t width = H5Tget_size(stored_type.get());
    std::vector<char> buffer(count * width);
    if (H5Dread(dataset.get(), stored_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) <
        0) {
        impl_->fail("cannot read dataset '" + name + "'");
    }
    for (std::size_t i = 0; i < count; ++i) {
        const char* start = buffer.data() + i * width;
        values.emplace_back(start, strnlen(start, width));
    }
    return values;
}

namespace {

void replace_attribute(hid_t file, const std::string& name) {
    if (H5Aexists(file, name.c_str()) > 0) {
        H5Adelete(file, name.c_str());
    }
}

template <typename T>
void write_scalar_attribute(hid_t file, const std::string& name, T value) {
    replace_attribute(file, name);
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle attribute(
        H5Acreate2(file, name.c_str(), file_type<T>(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose);
    H5Awrite(attribute.get(), memory_type<T>(), &value);
}

}  // namespace

void H5File::set_attribute(const std::string& name, const std::string& value) {
    std::lock_guard lock(h5_mutex());
    impl_->require_writable();
    replace_attribute(impl_->file, name);
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle type = string_type();
    Handle attribute(
        H5Acreate2(impl_->file, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose);
    const char* pointer = value.c_str();
    if (H5Awrite(attribute.get(), type.get(), &pointer) < 0) {
        impl_->fail("cannot write attribute '" + name + "'");
    }
}

void H5File::set_attribute(const std::string& name, const char* value) {
    set_attribute(name, std::string(value));
}

void H5File::set_attribute(const std::string& name, double value) {
    std::lock_guard lock(h5_mutex());
    impl_->require_writable();
    write_scalar_attribute(impl_->file, name, value);
}

void H5File::set_attribute(const std::string& name, std::int64_t value) {
    std::lock_guard lock(h5_mutex());
    impl_->require_writable();
    write_scalar_attribute(impl_->file, name, value);
}

void H5File::set_attribute(const std::string& name, int value) {
    set_attribute(name, static_cast<std::int64_t>(value));
}

void H5File::set_attribute(const std::string& name, std::uint64_t value) {
    std::lock_guard lock(h5_mutex());
    impl_->require_writable();
    write_scalar_attribute(impl_->file, name, value);
}

bool H5File::has_attribute(const std::string& name) const {
    std::lock_guard lock(h5_mutex());
    return H5Aexists(impl_->file, name.c_str()) > 0;
}

namespace {

Handle open_attribute(const H5File& file, hid_t id, const std::string& name) {
    if (H5Aexists(id, name.c_str()) <= 0) {
        throw Error("HDF5 file '" + file.path().string() + "': attribute '" + name +
                    "' not found; recreate the file with the stage that writes it");
    }
    return Handle(H5Aopen(id, name.c_str(), H5P_DEFAULT), H5Aclose);
}

}  // namespace

std::string H5File::attribute_string(const std::string& name) const {
    std::lock_guard lock(h5_mutex());
    Handle attribute = open_attribute(*this, impl_->file, name);
    Handle stored_type(H5Aget_type(attribute.get()), H5Tclose);
    if (H5Tget_class(stored_type.get()) != H5T_STRING) {
        impl_->fail("attribute '" + name + "' is not a string");
    }
    if (H5Tis_variable_str(stored_type.get()) > 0) {
        Handle type = string_type();
        char* pointer = nullptr;
        H5Aread(attribute.get(), type.get(), &pointer);
        std::string value = pointer ? pointer : "";
        H5free_memory(pointer);
        return value;
    }
    const std::size_t width = H5Tget_size(stored_type.get());
    std::string value(width, '\0');
    H5Aread(attribute.get(), stored_type.get(), value.data());
    value.resize(strnlen(value.c_str(), width));
    return value;
}

double H5File::attribute_double(const std::string& name) const {
    std::lock_guard lock(h5_mutex());
    Handle attribute = open_attribute(*this, impl_->file, name);
    double value = 0;
    if (H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0) {
        impl_->fail("attribute '" + name + "' is not a number");
    }
    return value;
}

std::int64_t H5File::attribute_int(const std::string& name) const {
    std::lock_guard lock(h5_mutex());
    Handle attribute = open_attribute(*this, impl_->file, name);
    std::int64_t value = 0;
    if (H5Aread(attribute.get(), H5T_NATIVE_INT64, &value) < 0) {
        impl_->fail("attribute '" + name + "' is not an integer");
    }
    return value;
}

std::uint64_t H5File::attribute_uint64(const std::string& name) const {
    std::lock_guard lock(h5_mutex());
    Handle attribute = open_attribute(*this, impl_->file, name);
    Handle type(H5Aget_type(attribute.get()), H5Tclose);
    if (H5Tget_class(type.get()) == H5T_FLOAT) {
        double value = 0;
        // 2^64 is the first double above every uint64_t.
        if (H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0 || !(value >= 0) ||
            value >= 18446744073709551616.0 || value != std::floor(value)) {
            impl_->fail("attribute '" + name + "' is not a non-negative whole number");
        }
        return static_cast<std::uint64_t>(value);
    }
    if (H5Tget_class(type.get()) != H5T_INTEGER) {
        impl_->fail("attribute '" + name + "' is not an integer");
    }
    if (H5Tget_sign(type.get()) == H5T_SGN_2) {
        std::int64_t value = 0;
        if (H5Aread(attribute.get(), H5T_NATIVE_INT64, &value) < 0 || value < 0) {
            impl_->fail("attribute '" + name + "' is not a non-negative integer");
        }
        return static_cast<std::uint64_t>(value);
    }
    std::uint64_t value = 0;
    if (H5Aread(attribute.get(), H5T_NATIVE_UINT64, &value) < 0) {
        impl_->fail("attribute '" + name + "' is not an integer");
    }
    return value;
}

std::vector<std::string> H5File::attribute_names() const {
    std::lock_guard lock(h5_mutex());
    std::vector<std::string> names;
    H5Aiterate2(
        impl_->file, H5_INDEX_NAME, H5_ITER_INC, nullptr,
        [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
            static_cast<std::vector<std::string>*>(data)->emplace_back(name);
            return 0;
        },
        &names);
    return names;
}

#define UADSCOPE_INSTANTIATE(T)                                                                  \
    template void H5File::write<T>(const std::string&, std::span<const T>);                      \
    template void H5File::write_matrix<T>(const std::string&, std::span<const T>, std::int64_t,  \
                                          std::int64_t, std::int64_t, bool);                     \
    template std::vector<T> H5File::read<T>(const std::string&) const;                           \
    template std::vector<T> H5File::read_rows<T>(const std::string&, std::int64_t, std::int64_t) \
        const;
UADSCOPE_INSTANTIATE(float)
UADSCOPE_INSTANTIATE(double)
UADSCOPE_INSTANTIATE(std::int32_t)
UADSCOPE_INSTANTIATE(std::int64_t)
UADSCOPE_INSTANTIATE(std::uint8_t)
#undef UADSCOPE_INSTANTIATE

}  // namespace uadscope::store
