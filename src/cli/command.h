#pragma once

// Subcommand table of the uadscope CLI. Each src/cli/<name>.cpp defines one command and
// registers it with a static CommandRegistration, so main stays a thin dispatcher.

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace uadscope::cli {

struct Command {
    std::string name;
    std::string summary;
    // Position in `uadscope --help`; pipeline stages come first, in pipeline order.
    int order = 100;
    // Receives the arguments after the command name (argv[0] is "uadscope <name>").
    // Returns a process exit code (see ExitCode); throws UsageError for bad usage.
    std::function<int(int argc, char** argv)> run;
};

std::vector<Command>& command_table();

// Parses argv with CLI11. Returns nothing when parsing succeeded; otherwise CLI11 has
// printed help (exit code 0) or the error (ExitCode::usage) and the command returns that.
std::optional<int> parse_arguments(CLI::App& app, int argc, char** argv);

struct CommandRegistration {
    explicit CommandRegistration(Command command);
};

}  // namespace uadscope::cli
