// `uadscope serve WORK`: the browser explorer of a workspace's maps.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>

#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "core/error.h"
#include "server/server.h"
#include "server/web_dir.h"

extern char** environ;

namespace uadscope::cli {
namespace {

// Starts the desktop's browser on `url` with xdg-open without waiting for it. A failure is
// only logged, because the URL is printed anyway.
void open_browser(const std::string& url) {
    pid_t child = 0;
    const char* arguments[] = {"xdg-open", url.c_str(), nullptr};
    const int error = ::posix_spawnp(&child, "xdg-open", nullptr, nullptr,
                                     const_cast<char* const*>(arguments), environ);
    if (error != 0) {
        spdlog::warn("cannot start xdg-open to open {} ({}); open it by hand", url,
                     std::strerror(error));
        return;
    }
    std::thread([child, url] {
        int status = 0;
        if (::waitpid(child, &status, 0) == child &&
            !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            spdlog::warn("xdg-open found no browser for {}; open the address by hand", url);
        }
    }).detach();
}

int run_serve(int argc, char** argv) {
    CLI::App app(
        "Open a workspace in the browser explorer: linked maps, hover details, "
        "selection export and audio playback of each point's span.");
    std::string work;
    server::ServerOptions options;
    bool open = false;
    app.add_option("WORK", work, "Workspace folder (with manifest.csv and maps/)")->required();
    app.add_option("--host", options.host,
                   "Address to listen on; anything other than loopback exposes the audio files "
                   "to the network")
        ->capture_default_str();
    app.add_option("--port", options.port, "TCP port (0 picks a free one)")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    app.add_option("--threads", options.threads, "Request threads")
        ->capture_default_str()
        ->check(CLI::Range(1, 256));
    app.add_option("--max-points", options.max_points_per_request,
                   "Largest number of points one request returns (the viewer pages through "
                   "larger maps)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--max-audio", options.max_audio_seconds,
                   "Longest audio span one request returns, in seconds")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_flag("--open", open, "Open the explorer in the default browser (xdg-open)");
    if (const auto code = parse_arguments(app, argc, argv)) {
        return *code;
    }

    options.web_dir = server::find_web_dir();
    if (!options.web_dir) {
        spdlog::warn("{}", server::missing_web_dir_message());
    }
    server::Workspace workspace(work);
    const auto maps = workspace.list_maps();
    if (maps.empty()) {
        spdlog::warn("workspace '{}' has no maps yet (maps/*.h5); run `uadscope map` first", work);
    }

    // Block SIGINT and SIGTERM before any thread starts, so that every server thread
    // inherits the mask and this thread alone receives them through sigwait.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    server::Server server(workspace, options);
    server.bind();
    std::printf("uadscope explorer: %s (Ctrl-C stops it)\n", server.url().c_str());
    std::fflush(stdout);
    // When the server stops by itself (a socket error), wake the sigwait below.
    std::atomic<bool> stopping = false;
    std::thread serving([&server, &stopping] {
        server.run();
        if (!stopping) {
            ::kill(::getpid(), SIGTERM);
        }
    });
    if (open) {
        open_browser(server.url());
    }

    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    stopping = true;
    spdlog::info("received {}, stopping the explorer",
                 signal_number == SIGINT ? "SIGINT" : "SIGTERM");
    server.stop();
    serving.join();
    return 0;
}

const CommandRegistration registration({"serve", "Open a workspace in the browser explorer", 70,
                                        run_serve});

}  // namespace
}  // namespace uadscope::cli
