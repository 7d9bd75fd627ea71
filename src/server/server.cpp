#include "server/server.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <list>
#include <map>
#include <mutex>
#include <regex>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "server/api.h"
#include "server/http_range.h"
#include "server/web_dir.h"

namespace uadscope::server {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Largest WAV bodies kept for repeated Range requests of the same span (the browser's audio
// element requests a span several times while it plays).
constexpr std::size_t wav_cache_entries = 8;
constexpr std::size_t wav_cache_max_bytes = 128u << 20;

// Map ids and score set names: file stems, never a path.
constexpr const char* name_pattern = R"(([A-Za-z0-9][A-Za-z0-9._+=-]{0,199}))";

std::string dump(const json& value) {
    // Manifest paths may hold bytes that are not UTF-8; replace them instead of throwing.
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

void send_json(httplib::Response& res, const json& value) {
    res.status = 200;
    res.set_content(dump(value), "application/json");
}

// Message of the last error response of this request thread, for the logger: by the time
// httplib calls the logger it may have compressed the body. httplib runs the handler and the
// logger of one request on the same thread.
thread_local std::string last_error_message;

void send_error(httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    res.set_content(dump(json{{"error", message}}), "application/json");
    last_error_message = message;
}

std::optional<std::uint64_t> parse_index(const std::string& text) {
    std::uint64_t value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

// Reads an optional query parameter; throws Error naming it when it is not a finite number.
std::optional<double> number_parameter(const httplib::Request& req, const std::string& name) {
    if (!req.has_param(name.c_str())) {
        return std::nullopt;
    }
    const std::string text = req.get_param_value(name.c_str());
    double value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size() ||
        !std::isfinite(value)) {
        throw Error("query parameter " + name + "='" + text + "' is not a finite number");
    }
    return value;
}

std::string content_type_of(const fs::path& path) {
    static const std::map<std::string, std::string> types = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const auto found = types.find(path.extension().string());
    return found == types.end() ? "application/octet-stream" : found->second;
}

bool is_loopback(const std::string& host) {
    return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]" ||
           host.rfind("127.", 0) == 0;
}

// Host part of a Host header: "127.0.0.1:8765" -> "127.0.0.1", "[::1]:80" -> "[::1]".
std::string host_name(const std::string& header) {
    if (!header.empty() && header.front() == '[') {
        const std::size_t close = header.find(']');
        return close == std::string::npos ? header : header.substr(0, close + 1);
    }
    return header.substr(0, header.find(':'));
}

const char* missing_bundle_page =
    "<!doctype html><meta charset=utf-8><title>uadscope explorer</title>"
    "<body style=\"font:16px sans-serif;max-width:44em;margin:3em auto\">"
    "<h1>The viewer is not built</h1><p>uadscope serve found no viewer bundle "
    "(web/dist/index.html). Build it with <code>cd web &amp;&amp; npm ci &amp;&amp; npm run "
    "build</code> (scripts/setup.sh does this) or set <code>UADSCOPE_WEB_DIR</code> to the "
    "folder that contains index.html, then restart the server. The API under /api/ works "
    "without it.</p>";

// Runs before every route: returns false after answering 403 to a request whose Host is not
// loopback while the server listens on loopback, so that a web page elsewhere cannot read the
// workspace through DNS rebinding.
bool check_request(const httplib::Request& req, httplib::Response& res, bool loopback_only) {
    // The routes evaluate Range themselves (see http_range.h). httplib built `req` as a
    // non-const local of its request loop, so clearing the parsed ranges through const_cast
    // is defined and keeps httplib from slicing the body a second time.
    const_cast<httplib::Request&>(req).ranges.clear();
    if (loopback_only && req.has_header("Host") &&
        !is_loopback(host_name(req.get_header_value("Host")))) {
        send_error(res, 403,
                   "Host '" + req.get_header_value("Host") +
                       "' is not a loopback name; open the explorer at "
                       "http://127.0.0.1:<port>/");
        return false;
    }
    res.set_header("X-Content-Type-Options", "nosniff");
    return true;
}

void send_exception(httplib::Response& res, std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const Error& bad_input) {
        // Query parameters are parsed by throwing Error; everything else is a workspace
        // problem such as a malformed map file.
        const std::string message = bad_input.what();
        send_error(res, message.rfind("query parameter", 0) == 0 ? 400 : 500, message);
    } catch (const std::exception& failure) {
        send_error(res, 500, failure.what());
    }
}

class WavCache {
  public:
    std::shared_ptr<const std::string> find(const std::string& key) {
        std::lock_guard lock(mutex_);
        for (auto it = entries_.begin(); it != entries_.end(); ++it) {
            if (it->first == key) {
                entries_.splice(entries_.begin(), entries_, it);
                return it->second;
            }
        }
        return nullptr;
    }
    void insert(const std::string& key, std::shared_ptr<const std::string> wav) {
        std::lock_guard lock(mutex_);
        if (wav->size() > wav_cache_max_bytes) {
            return;
        }
        entries_.emplace_front(key, std::move(wav));
        std::size_t bytes = 0;
        std::size_t kept = 0;
        for (auto it = entries_.begin(); it != entries_.end();) {
            bytes += it->second->size();
            ++kept;
            if (kept > wav_cache_entries || bytes > wav_cache_max_bytes) {
                it = entries_.erase(it);
            } else {
                ++it;
            }
        }
    }

  private:
    std::mutex mutex_;
    std::list<std::pair<std::string, std::shared_ptr<const std::string>>> entries_;
};

// Sets SO_REUSEADDR only. cpp-httplib 0.11.4's default also sets SO_REUSEPORT, with which a
// second server binds the port of a running one and the kernel splits the requests between
// them.
void set_reuse_address(socket_t descriptor) {
    int yes = 1;
    ::setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

// Explains why `host`:`port` cannot be bound by repeating the bind on a socket of our own
// (httplib reports only failure, not errno).
std::string bind_failure_message(const std::string& host, int port) {
    const std::string where = "port " + std::to_string(port) + " on " + host;

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int status = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
        status != 0) {
        return "cannot listen on " + where + ": the address '" + host + "' is invalid (" +
               ::gai_strerror(status) + "); give an address such as 127.0.0.1 with --host";
    }

    int error = 0;
    for (const addrinfo* address = found; address != nullptr; address = address->ai_next) {
        const int probe = ::socket(address->ai_family, address->ai_socktype, address->ai_protocol);
        if (probe < 0) {
            error = errno;
            continue;
        }
        set_reuse_address(probe);
        const bool bound =
            ::bind(probe, address->ai_addr, address->ai_addrlen) == 0 && ::listen(probe, 1) == 0;
        error = bound ? 0 : errno;
        ::close(probe);
        if (bound) {
            break;
        }
    }
    ::freeaddrinfo(found);

    switch (error) {
        case EADDRINUSE:
            return where + " is in use; stop the other server or choose --port";
        case EACCES:
            return "cannot listen on " + where +
                   ": permission denied (ports below 1024 need root); choose --port 1024 or "
                   "above";
        case EADDRNOTAVAIL:
            return "cannot listen on " + where + ": the address '" + host +
                   "' belongs to no network interface of this machine; choose --host";
        default:
            break;
    }
    const std::string reason = error != 0 ? std::string(" (") + std::strerror(error) + ")" : "";
    return "cannot listen on " + where + reason +
           "; the usual causes are an invalid --host address, a port in use by another "
           "program or a port below 1024 without root";
}

}  // namespace

void ServerOptions::validate() const {
    if (host.empty()) {
        throw Error("server host is empty; give an address such as 127.0.0.1");
    }
    if (port < 0 || port > 65535) {
        throw Error("server port " + std::to_string(port) + " is outside [0, 65535]");
    }
    if (threads < 1 || threads > 256) {
        throw Error("server threads " + std::to_string(threads) + " is outside [1, 256]");
    }
    if (max_points_per_request < 1) {
        throw Error("max points per request must be at least 1");
    }
    if (!(max_audio_seconds > 0) || !std::isfinite(max_audio_seconds)) {
        throw Error("max audio seconds must be a positive number of seconds");
    }
    if (!(max_context_seconds >= 0) || !std::isfinite(max_context_seconds)) {
        throw Error("max context seconds must be 0 or more seconds");
    }
    if (read_timeout_seconds < 1 || write_timeout_seconds < 1) {
        throw Error("server timeouts must be at least 1 second");
    }
}

struct Server::Impl {
    Workspace& workspace;
    ServerOptions options;
    AudioReader read_audio;
    httplib::Server http;
    std::map<std::string, fs::path> static_files;  // URL path -> file in the bundle
    WavCache wav_cache;
    int port = -1;

    Impl(Workspace& workspace_in, ServerOptions options_in, AudioReader reader)
        : workspace(workspace_in), options(std::move(options_in)), read_audio(std::move(reader)) {}

    // The GET routes in the order httplib tries them, kept for reroute_unparsed_range.
    std::vector<std::pair<std::regex, httplib::Server::Handler>> routes;

    void list_static_files();
    void add_route(const std::string& pattern, httplib::Server::Handler handler);
    void install_routes();
    bool reroute_unparsed_range(const httplib::Request& req, httplib::Response& res);
    void serve_points(const httplib::Request& req, httplib::Response& res);
    void serve_audio(const httplib::Request& req, httplib::Response& res);
    void serve_static(const httplib::Request& req, httplib::Response& res);
    std::shared_ptr<const LoadedMap> require_map(const std::string& id, httplib::Response& res);
};

void Server::Impl::list_static_files() {
    if (!options.web_dir) {
        return;
    }
    const fs::path root = *options.web_dir;
    // Only regular files are listed (symbolic links are not followed), so a request can reach
    // nothing outside the bundle folder.
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.is_regular_file() && !entry.is_symlink()) {
            const fs::path relative = entry.path().lexically_relative(root);
            static_files["/" + relative.generic_string()] = entry.path();
        }
    }
    if (static_files.count("/index.html") > 0) {
        static_files["/"] = static_files["/index.html"];
    }
}

std::shared_ptr<const LoadedMap> Server::Impl::require_map(const std::string& id,
                                                           httplib::Response& res) {
    if (const auto info = workspace.find_map(id); info && !info->stale.empty()) {
        send_error(res, 409, info->stale);
        return nullptr;
    }
    auto map = workspace.load_map(id);
    if (!map) {
        send_error(res, 404, "map '" + id + "' is not in the workspace; GET /api/maps lists them");
    }
    return map;
}

void Server::Impl::serve_points(const httplib::Request& req, httplib::Response& res) {
    const auto map = require_map(req.matches[1], res);
    if (!map) {
        return;
    }
    const auto total = static_cast<std::size_t>(map->data.points);
    const auto offset = number_parameter(req, "offset").value_or(0);
    if (offset < 0 || offset > static_cast<double>(total) || offset != std::floor(offset)) {
        send_error(res, 400, "offset must be an integer in [0, " + std::to_string(total) + "]");
        return;
    }
    const auto first = static_cast<std::size_t>(offset);
    const double default_count =
        static_cast<double>(std::min(options.max_points_per_request, total - first));
    const double count = number_parameter(req, "count").value_or(default_count);
    if (count < 0 || count != std::floor(count) ||
        count > static_cast<double>(options.max_points_per_request)) {
        send_error(res, 400,
                   "count must be an integer in [0, " +
                       std::to_string(options.max_points_per_request) +
                       "]; fetch larger maps in pages with offset");
        return;
    }
    const std::size_t points = std::min(static_cast<std::size_t>(count), total - first);
    res.set_header("X-Points-Offset", std::to_string(first));
    res.set_header("X-Points-Count", std::to_string(points));
    res.set_header("X-Points-Total", std::to_string(total));
    res.status = 200;
    res.set_content(points_block(*map, first, points), "application/octet-stream");
}

void Server::Impl::serve_audio(const httplib::Request& req, httplib::Response& res) {
    const FileTable& files = workspace.files();
    const auto file = parse_index(req.matches[1]);
    if (!file || *file >= files.size()) {
        send_error(res, 404,
                   "file " + req.matches[1].str() + " is not in the manifest, which has " +
                       std::to_string(files.size()) + " files");
        return;
    }
    const fs::path& path = files.paths[*file];
    const double duration = files.duration_s[*file];
    const double context = number_parameter(req, "context").value_or(0);
    double start = number_parameter(req, "start").value_or(0);
    double end =
        number_parameter(req, "end")
            .value_or(std::isfinite(duration) ? duration : start + options.max_audio_seconds);
    if (start < 0 || end <= start) {
        send_error(res, 400,
                   "the span start=" + std::to_string(start) + " end=" + std::to_string(end) +
                       " is invalid; need 0 <= start < end");
        return;
    }
    if (context < 0 || context > options.max_context_seconds) {
        send_error(res, 400,
                   "context=" + std::to_string(context) + " is outside [0, " +
                       std::to_string(options.max_context_seconds) + "] seconds");
        return;
    }
    start = std::max(0.0, start - context);
    end += context;
    if (end - start > options.max_audio_seconds) {
        send_error(res, 400,
                   "the span of " + std::to_string(end - start) + " s exceeds the limit of " +
                       std::to_string(options.max_audio_seconds) + " s");
        return;
    }
    const bool normalize = req.get_param_value("normalize") == "peak";
    if (req.has_param("normalize") && !normalize) {
        send_error(res, 400,
                   "normalize='" + req.get_param_value("normalize") +
                       "' is invalid; the only value is 'peak'");
        return;
    }
    if (!fs::is_regular_file(path)) {
        send_error(res, 404,
                   "the audio of file " + std::to_string(*file) + " is missing: '" + path.string() +
                       "' does not exist");
        return;
    }

    const std::string key = std::to_string(*file) + ":" + std::to_string(start) + ":" +
                            std::to_string(end) + (normalize ? ":peak" : "");
    auto wav = wav_cache.find(key);
    if (!wav) {
        audio::DecodedAudio decoded = read_audio(path, start, end);
        if (normalize) {
            float peak = 0;
            for (const float sample : decoded.samples) {
                peak = std::max(peak, std::abs(sample));
            }
            if (peak > 0) {
                for (float& sample : decoded.samples) {
                    sample /= peak;
                }
            }
        }
        wav = std::make_shared<const std::string>(encode_wav(decoded.samples, decoded.sample_rate));
        wav_cache.insert(key, wav);
    }

    res.set_header("Accept-Ranges", "bytes");
    res.set_header("Cache-Control", "no-cache");
    const RangeDecision range = decide_range(req.get_header_value("Range"), wav->size());
    switch (range.kind) {
        case RangeDecision::Kind::full:
            res.status = 200;
            res.set_content(*wav, "audio/wav");
            break;
        case RangeDecision::Kind::partial:
            res.status = 206;
            res.set_header("Content-Range", content_range(range, wav->size()));
            res.set_content(wav->substr(range.first, range.last - range.first + 1), "audio/wav");
            break;
        case RangeDecision::Kind::unsatisfiable:
            send_error(res, 416,
                       "range past the end of the " + std::to_string(wav->size()) + "-byte WAV");
            res.set_header("Content-Range", "bytes */" + std::to_string(wav->size()));
            break;
    }
}

void Server::Impl::serve_static(const httplib::Request& req, httplib::Response& res) {
    if (!options.web_dir && (req.path == "/" || req.path == "/index.html")) {
        res.status = 200;
        res.set_content(missing_bundle_page, "text/html; charset=utf-8");
        return;
    }
    const auto found = static_files.find(req.path);
    if (found == static_files.end()) {
        send_error(res, 404, "not found: " + req.path);
        return;
    }
    res.status = 200;
    res.set_header("Cache-Control", "no-cache");
    res.set_content(read_file(found->second), content_type_of(found->second).c_str());
}

// cpp-httplib 0.11.4 responds 416 with an empty body, before any handler runs, to a Range
// header it cannot parse ("bytes=abc", "bytes=5-2", "items=0-5"). RFC 9110 (section 14.2)
// requires ignoring such a header, so the error handler routes the request again here without
// it. Returns false, leaving `res` alone, for every other error response.
bool Server::Impl::reroute_unparsed_range(const httplib::Request& req, httplib::Response& res) {
    if (res.status != 416 || !res.body.empty() || !req.has_header("Range") ||
        (req.method != "GET" && req.method != "HEAD")) {
        return false;
    }
    // httplib may have kept the ranges parsed before the invalid one and would slice the
    // body with them. `req` is a non-const local of its request loop (see check_request).
    const_cast<httplib::Request&>(req).ranges.clear();
    httplib::Request request = req;
    request.headers.erase("Range");
    res.status = 200;
    if (!check_request(request, res, is_loopback(options.host))) {
        return true;
    }
    for (const auto& [pattern, handler] : routes) {
        if (std::regex_match(request.path, request.matches, pattern)) {
            try {
                handler(request, res);
            } catch (...) {
                send_exception(res, std::current_exception());
            }
            return true;
        }
    }
    send_error(res, 404, "not found: " + request.path);
    return true;
}

void Server::Impl::add_route(const std::string& pattern, httplib::Server::Handler handler) {
    routes.emplace_back(std::regex(pattern), handler);
    http.Get(pattern, std::move(handler));
}

void Server::Impl::install_routes() {
    const std::string map_route = std::string("/api/maps/") + name_pattern;

    add_route("/api/workspace", [this](const httplib::Request&, httplib::Response& res) {
        send_json(res, workspace_json(workspace, true));
    });
    add_route("/api/files", [this](const httplib::Request&, httplib::Response& res) {
        send_json(res, files_json(workspace.files()));
    });
    add_route("/api/maps", [this](const httplib::Request&, httplib::Response& res) {
        json maps = json::array();
        for (const auto& info : workspace.list_maps()) {
            maps.push_back(map_info_json(info));
        }
        send_json(res, maps);
    });
    add_route(map_route, [this](const httplib::Request& req, httplib::Response& res) {
        if (const auto map = require_map(req.matches[1], res)) {
            send_json(res, loaded_map_json(*map));
        }
    });
    add_route(map_route + "/points", [this](const httplib::Request& req, httplib::Response& res) {
        serve_points(req, res);
    });
    add_route(map_route + R"(/(points|neighbors)/(\d{1,12}))", [this](const httplib::Request& req,
                                                                      httplib::Response& res) {
        const auto map = require_map(req.matches[1], res);
        if (!map) {
            return;
        }
        const auto point = parse_index(req.matches[3]);
        if (!point || *point >= static_cast<std::uint64_t>(map->data.points)) {
            send_error(res, 404,
                       "point " + req.matches[3].str() + " is not in map '" + map->info.id +
                           "' of " + std::to_string(map->data.points) + " points");
            return;
        }
        if (req.matches[2] == "points") {
            send_json(res,
                      point_details_json(*map, workspace.files(), *workspace.score_sets(), *point));
        } else {
            send_json(res, neighbors_json(*map, workspace.files(), *point));
        }
    });
    add_route("/api/scores", [this](const httplib::Request&, httplib::Response& res) {
        json sets = json::array();
        for (const auto& set : *workspace.score_sets()) {
            sets.push_back({{"name", set.name}, {"matched", set.matched}});
        }
        send_json(res, sets);
    });
    add_route(std::string("/api/scores/") + name_pattern,
              [this](const httplib::Request& req, httplib::Response& res) {
                  for (const auto& set : *workspace.score_sets()) {
                      if (set.name == req.matches[1]) {
                          send_json(res, score_set_json(set));
                          return;
                      }
                  }
                  send_error(res, 404, "score set '" + req.matches[1].str() + "' not found");
              });
    add_route(R"(/audio/(\d{1,12}))", [this](const httplib::Request& req, httplib::Response& res) {
        serve_audio(req, res);
    });
    add_route(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
        serve_static(req, res);
    });
}

Server::Server(Workspace& workspace, ServerOptions options, AudioReader read_audio)
    : impl_(std::make_unique<Impl>(workspace, std::move(options), std::move(read_audio))) {
    impl_->options.validate();
    impl_->list_static_files();
    auto& http = impl_->http;
    const int threads = impl_->options.threads;
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http.set_payload_max_length(impl_->options.payload_max_bytes);
    http.set_read_timeout(impl_->options.read_timeout_seconds, 0);
    http.set_write_timeout(impl_->options.write_timeout_seconds, 0);
    http.set_keep_alive_timeout(5);
    http.set_socket_options(set_reuse_address);

    const bool loopback_only = is_loopback(impl_->options.host);
    http.set_pre_routing_handler([loopback_only](const httplib::Request& req,
                                                 httplib::Response& res) {
        return check_request(req, res, loopback_only) ? httplib::Server::HandlerResponse::Unhandled
                                                      : httplib::Server::HandlerResponse::Handled;
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  std::exception_ptr error) { send_exception(res, error); });
    http.set_error_handler(
        [impl = impl_.get()](const httplib::Request& req, httplib::Response& res) {
            if (impl->reroute_unparsed_range(req, res)) {
                return;
            }
            if (res.body.empty()) {
                send_error(
                    res, res.status,
                    "HTTP " + std::to_string(res.status) + " for " + req.method + " " + req.path);
            }
        });
    http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
        std::string message;
        message.swap(last_error_message);
        if (res.status < 400) {
            return;
        }
        const auto level = res.status >= 500 ? spdlog::level::err : spdlog::level::warn;
        std::string query;
        for (const auto& [name, value] : req.params) {
            query += (query.empty() ? "?" : "&") + name + "=" + value;
        }
        spdlog::log(level, "{} {}{} from {} -> {}: {}", req.method, req.path, query,
                    req.remote_addr, res.status, message);
    });
    impl_->install_routes();
}

Server::~Server() = default;

int Server::bind() {
    auto& impl = *impl_;
    if (impl.options.port == 0) {
        impl.port = impl.http.bind_to_any_port(impl.options.host);
    } else {
        impl.port =
            impl.http.bind_to_port(impl.options.host, impl.options.port) ? impl.options.port : -1;
    }
    if (impl.port < 0) {
        throw Error(bind_failure_message(impl.options.host, impl.options.port));
    }
    return impl.port;
}

void Server::run() {
    UADSCOPE_ASSERT(impl_->port >= 0);
    spdlog::info("explorer serving '{}' at {} ({} files, {} threads)",
                 impl_->workspace.root().string(), url(), impl_->workspace.files().size(),
                 impl_->options.threads);
    if (!impl_->options.web_dir) {
        spdlog::warn("{}", missing_web_dir_message());
    }
    if (!impl_->http.listen_after_bind()) {
        spdlog::error("explorer at {} stopped with a socket error", url());
    }
    spdlog::info("explorer at {} stopped", url());
}

void Server::stop() {
    impl_->http.stop();
}

std::string Server::url() const {
    const std::string& host = impl_->options.host;
    const bool ipv6 = host.find(':') != std::string::npos;
    return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(impl_->port) + "/";
}

}  // namespace uadscope::server
