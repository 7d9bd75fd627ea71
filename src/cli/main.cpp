// uadscope: inspect machine-sound datasets for anomaly detection under domain shift.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"
#include "core/error.h"
#include "core/log.h"

namespace uadscope::cli {

std::vector<Command>& command_table() {
    static std::vector<Command> table;
    return table;
}

CommandRegistration::CommandRegistration(Command command) {
    command_table().push_back(std::move(command));
}

std::optional<int> parse_arguments(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? 0 : static_cast<int>(ExitCode::usage);
    }
    return std::nullopt;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

void print_usage() {
    std::printf(
        "uadscope %s: inspect machine-sound datasets for anomaly detection under domain shift\n\n"
        "usage: uadscope <command> [options]   (uadscope <command> --help for its options)\n\n"
        "commands:\n",
        UADSCOPE_VERSION);
    for (const auto& command : command_table()) {
        std::printf("  %-10s %s\n", command.name.c_str(), command.summary.c_str());
    }
    std::printf("\nexit status: 0 ok, 1 failure, 2 usage error, 3 partial (some inputs failed)\n");
}

}  // namespace
}  // namespace uadscope::cli

int main(int argc, char** argv) {
    using namespace uadscope;
    auto& table = cli::command_table();
    std::stable_sort(table.begin(), table.end(),
                     [](const auto& a, const auto& b) { return a.order < b.order; });

    if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h") {
        cli::print_usage();
        return argc < 2 ? static_cast<int>(ExitCode::usage) : 0;
    }
    if (std::string_view(argv[1]) == "--version") {
        std::printf("uadscope %s\n", UADSCOPE_VERSION);
        return 0;
    }

    const std::string name = argv[1];
    const auto found = std::find_if(table.begin(), table.end(),
                                    [&](const auto& command) { return command.name == name; });
    if (found == table.end()) {
        std::string suggestion;
        std::size_t best = 3;
        for (const auto& command : table) {
            const std::size_t distance = cli::edit_distance(name, command.name);
            if (distance < best) {
                best = distance;
                suggestion = command.name;
            }
        }
        std::fprintf(stderr, "uadscope: unknown command '%s'", name.c_str());
        if (!suggestion.empty()) {
            std::fprintf(stderr, "; did you mean '%s'?", suggestion.c_str());
        }
        std::fprintf(stderr, " (uadscope --help lists the commands)\n");
        return static_cast<int>(ExitCode::usage);
    }

    try {
        init_logging(std::getenv("UADSCOPE_LOG") ? std::getenv("UADSCOPE_LOG") : "info");
        std::string program = "uadscope " + name;
        std::vector<char*> arguments(argv + 1, argv + argc);
        arguments[0] = program.data();
        return found->run(static_cast<int>(arguments.size()), arguments.data());
    } catch (const UsageError& error) {
        std::fprintf(stderr, "uadscope %s: %s\n", name.c_str(), error.what());
        return static_cast<int>(ExitCode::usage);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "uadscope %s: error: %s\n", name.c_str(), error.what());
        return static_cast<int>(ExitCode::failure);
    }
}
