#include "core/hash.h"

#include <cstring>

#include <fmt/format.h>

#include "core/error.h"

namespace uadscope {

Hasher& Hasher::add(std::string_view bytes) {
    for (const char c : bytes) {
        state_ ^= static_cast<unsigned char>(c);
        state_ *= 0x100000001b3ULL;
    }
    // A separator byte keeps ("ab", "c") and ("a", "bc") apart.
    state_ ^= 0xff;
    state_ *= 0x100000001b3ULL;
    return *this;
}

Hasher& Hasher::add(std::int64_t value) {
    char bytes[sizeof value];
    std::memcpy(bytes, &value, sizeof value);
    return add(std::string_view(bytes, sizeof bytes));
}

Hasher& Hasher::add(double value) {
    char bytes[sizeof value];
    std::memcpy(bytes, &value, sizeof value);
    return add(std::string_view(bytes, sizeof bytes));
}

std::string Hasher::hex() const {
    return fmt::format("{:016x}", state_);
}

std::string file_stamp(const std::filesystem::path& path) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error) {
        throw Error("cannot read '" + path.string() + "': " + error.message());
    }
    const auto modified = std::filesystem::last_write_time(path, error);
    if (error) {
        throw Error("cannot read '" + path.string() + "': " + error.message());
    }
    Hasher hasher;
    hasher.add(path.string())
        .add(static_cast<std::int64_t>(size))
        .add(static_cast<std::int64_t>(modified.time_since_epoch().count()));
    return hasher.hex();
}

}  // namespace uadscope
