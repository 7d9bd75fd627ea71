#pragma once

// Error types shared by every module.
//
// Two tiers, as in faiss: bad input from a caller or a file throws one of the exceptions
// below with the value seen, the limit and the fix; a broken internal invariant is a bug
// and aborts through UADSCOPE_ASSERT.

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace uadscope {

// Bad input: a file that cannot be read, a value out of range, an inconsistent workspace.
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Bad command-line usage; the CLI exits with ExitCode::usage.
class UsageError : public Error {
  public:
    using Error::Error;
};

// Process exit codes of the CLI.
enum class ExitCode : int {
    ok = 0,
    failure = 1,
    usage = 2,
    // Some inputs failed and were reported; all the others were processed.
    partial = 3,
};

[[noreturn]] inline void assert_fail(const char* condition, const char* file, int line) {
    std::fprintf(stderr, "uadscope: internal error: %s failed at %s:%d\n", condition, file, line);
    std::abort();
}

}  // namespace uadscope

// Checks an internal invariant in every build type; a failure is a bug in uadscope.
#define UADSCOPE_ASSERT(condition)                                   \
    do {                                                             \
        if (!(condition)) {                                          \
            ::uadscope::assert_fail(#condition, __FILE__, __LINE__); \
        }                                                            \
    } while (false)
