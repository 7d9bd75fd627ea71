#pragma once

// Logging through spdlog: one stderr logger for the whole process.

#include <spdlog/spdlog.h>

#include <string_view>

namespace uadscope {

// Sets up the default logger to write "[level] message" lines to stderr.
// level is one of trace, debug, info, warn, error, off; throws Error for anything else.
void init_logging(std::string_view level = "info");

}  // namespace uadscope
