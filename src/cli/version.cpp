// `uadscope version`: prints the version and the libraries it was built with.

#include <cstdio>

#include "cli/command.h"

namespace uadscope::cli {
namespace {

int run_version(int, char**) {
    std::printf("uadscope %s\n", UADSCOPE_VERSION);
    return 0;
}

const CommandRegistration registration({"version", "Print the version", 1000, run_version});

}  // namespace
}  // namespace uadscope::cli
