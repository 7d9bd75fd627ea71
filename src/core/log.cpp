#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <string>

#include "core/error.h"

namespace uadscope {

void init_logging(std::string_view level) {
    const auto parsed = spdlog::level::from_str(std::string(level));
    if (parsed == spdlog::level::off && level != "off") {
        throw UsageError("invalid log level '" + std::string(level) +
                         "': use trace, debug, info, warn, error or off");
    }
    auto logger = spdlog::get("uadscope");
    if (!logger) {
        logger = spdlog::stderr_color_mt("uadscope");
    }
    logger->set_pattern("[%^%l%$] %v");
    logger->set_level(parsed);
    spdlog::set_default_logger(logger);
}

}  // namespace uadscope
