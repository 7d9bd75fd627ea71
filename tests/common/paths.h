#pragma once

// Locations of test inputs. Tests that need ../shared (real recordings and reference
// fixtures) call shared_dir() and skip with a message when it is absent.

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <unistd.h>

namespace uadscope::testing {

// The shared folder with data/ and fixtures/, from UADSCOPE_SHARED_DIR in the environment
// or the path configured at build time; nothing when neither exists.
inline std::optional<std::filesystem::path> shared_dir() {
    const char* from_environment = std::getenv("UADSCOPE_SHARED_DIR");
    std::filesystem::path path = from_environment ? from_environment : UADSCOPE_SHARED_DIR;
    if (std::filesystem::is_directory(path / "data")) {
        return path;
    }
    return std::nullopt;
}

// A fresh empty folder under the system temp folder, unique per test.
inline std::filesystem::path fresh_temp_dir(const std::string& name) {
    auto path = std::filesystem::temp_directory_path() /
                ("uadscope-test-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
    return path;
}

}  // namespace uadscope::testing

// Skips the current test when ../shared is absent, saying so.
#define UADSCOPE_REQUIRE_SHARED(variable)                                                        \
    const auto variable##_optional = ::uadscope::testing::shared_dir();                          \
    if (!variable##_optional) {                                                                  \
        GTEST_SKIP() << "../shared not found (set UADSCOPE_SHARED_DIR): real-data test skipped"; \
    }                                                                                            \
    const std::filesystem::path variable = *variable##_optional
