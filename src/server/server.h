#pragma once

// The explorer's HTTP server: the viewer bundle, a JSON and binary API over a workspace and
// WAV slices of the audio files in its manifest. Routes are listed in docs/explorer.md.
//
// Only exact routes are served: static files by exact lookup in the bundle folder's listing,
// maps by id from the WORK/maps listing, audio by manifest row. No part of a request path
// ever becomes a file system path, so "..", encoded slashes and absolute paths give 404.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "audio/audio.h"
#include "server/workspace.h"

namespace uadscope::server {

// Defaults of ServerOptions, each with its unit.
inline constexpr int default_port = 8765;
inline constexpr int default_threads = 8;                               // request threads
inline constexpr std::size_t default_max_points_per_request = 1 << 20;  // points
inline constexpr std::size_t default_payload_max_bytes = 64 * 1024;     // request body bytes
inline constexpr double default_max_audio_seconds = 600;   // seconds of one audio response
inline constexpr double default_max_context_seconds = 10;  // seconds added before and after
inline constexpr int default_read_timeout_seconds = 10;
inline constexpr int default_write_timeout_seconds = 30;

struct ServerOptions {
    // Address to bind. Loopback by default: the API serves the workspace's audio to anyone
    // who can connect.
    std::string host = "127.0.0.1";
    int port = default_port;  // 0 picks a free port
    // Folder of the viewer bundle. Without one, "/" returns a page that explains how to
    // build it.
    std::optional<std::filesystem::path> web_dir;
    int threads = default_threads;                                        // in [1, 256]
    std::size_t max_points_per_request = default_max_points_per_request;  // >= 1
    std::size_t payload_max_bytes = default_payload_max_bytes;
    double max_audio_seconds = default_max_audio_seconds;       // > 0
    double max_context_seconds = default_max_context_seconds;   // >= 0
    int read_timeout_seconds = default_read_timeout_seconds;    // >= 1
    int write_timeout_seconds = default_write_timeout_seconds;  // >= 1

    // Throws Error naming the first invalid value.
    void validate() const;
};

// Reads the samples of [start_s, end_s) of an audio file at its own rate (see
// audio::read_audio_span); replaceable in tests.
using AudioReader =
    std::function<audio::DecodedAudio(const std::filesystem::path&, double start_s, double end_s)>;

class Server {
  public:
    Server(Workspace& workspace, ServerOptions options,
           AudioReader read_audio = audio::read_audio_span);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds the socket and returns the port (the chosen one when options.port is 0); throws
    // Error when the address cannot be bound.
    int bind();
    // Serves requests until stop() is called; bind() first.
    void run();
    // Stops run() from any thread; waits for nothing.
    void stop();
    // http://host:port/ once bound.
    std::string url() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace uadscope::server
