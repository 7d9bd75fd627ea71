#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "core/atomic_file.h"
#include "dataset/manifest.h"
#include "server/api.h"
#include "server/http_range.h"
#include "server/server.h"
#include "server/test_workspace.h"
#include "server/time_span.h"

namespace uadscope::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::test_files;

// ---------------------------------------------------------------------------------------
// Pure functions

TEST(Range, DecidesPartialFullAndUnsatisfiable) {
    using Kind = RangeDecision::Kind;
    struct Case {
        const char* header;
        Kind kind;
        std::uint64_t first;
        std::uint64_t last;
    };
    const Case cases[] = {
        {"", Kind::full, 0, 0},
        {"bytes=0-99", Kind::partial, 0, 99},
        {"bytes=100-", Kind::partial, 100, 999},
        {"bytes=-10", Kind::partial, 990, 999},
        {"bytes=-5000", Kind::partial, 0, 999},
        {"bytes=990-5000", Kind::partial, 990, 999},
        {"bytes=999-999", Kind::partial, 999, 999},
        {"bytes=1000-", Kind::unsatisfiable, 0, 0},
        {"bytes=5000-6000", Kind::unsatisfiable, 0, 0},
        {"bytes=-0", Kind::unsatisfiable, 0, 0},
        {"bytes=0-1,5-6", Kind::full, 0, 0},
        {"items=0-5", Kind::full, 0, 0},
        {"bytes=7-3", Kind::full, 0, 0},
        {"bytes=x-3", Kind::full, 0, 0},
    };
    for (const auto& c : cases) {
        const RangeDecision decision = decide_range(c.header, 1000);
        EXPECT_EQ(decision.kind, c.kind) << c.header;
        if (c.kind == Kind::partial) {
            EXPECT_EQ(decision.first, c.first) << c.header;
            EXPECT_EQ(decision.last, c.last) << c.header;
        }
    }
    EXPECT_EQ(decide_range("bytes=0-", 0).kind, Kind::unsatisfiable);
}

TEST(Wav, HeaderAndSamples) {
    const std::vector<float> samples = {0.0f, 0.5f, -1.0f, 2.0f, NAN};
    const std::string wav = encode_wav(samples, 22050);
    ASSERT_EQ(wav.size(), 44u + 2 * samples.size());
    EXPECT_EQ(wav.substr(0, 4), "RIFF");
    EXPECT_EQ(wav.substr(8, 8), "WAVEfmt ");
    std::uint32_t rate = 0;
    std::memcpy(&rate, wav.data() + 24, 4);
    EXPECT_EQ(rate, 22050u);
    std::int16_t values[5];
    std::memcpy(values, wav.data() + 44, sizeof(values));
    EXPECT_EQ(values[0], 0);
    EXPECT_EQ(values[1], 16384);
    EXPECT_EQ(values[2], -32768);
    EXPECT_EQ(values[3], 32767);  // clipped
    EXPECT_EQ(values[4], 0);      // NaN becomes silence
}

TEST(TimeSpan, StackedFramesOfCentredStft) {
    const FrameTiming timing;  // hop 512, n_fft 1024 at 16 kHz
    // Frame 0 is centred on sample 0, so its window starts before the file and is clamped.
    const TimeSpan first = point_span(0, 1, timing, 10.0);
    EXPECT_DOUBLE_EQ(first.start_s, 0.0);
    EXPECT_DOUBLE_EQ(first.end_s, 512.0 / 16000);
    const TimeSpan stacked = point_span(10, 5, timing, 10.0);
    EXPECT_DOUBLE_EQ(stacked.start_s, (10 * 512 - 512) / 16000.0);
    EXPECT_DOUBLE_EQ(stacked.end_s, (14 * 512 + 512) / 16000.0);
    const TimeSpan last = point_span(312, 1, timing, 10.0);
    EXPECT_DOUBLE_EQ(last.end_s, 10.0);
    const TimeSpan unknown = point_span(312, 1, timing, NAN);
    EXPECT_DOUBLE_EQ(unknown.end_s, (312 * 512 + 512) / 16000.0);
}

TEST(TimeSpan, TimingFromAttributes) {
    const FrameTiming stft =
        timing_from_attributes({{"sample_rate", 32000}, {"hop_length", 256}, {"n_fft", 2048}});
    EXPECT_DOUBLE_EQ(stft.hop_s, 256.0 / 32000);
    EXPECT_DOUBLE_EQ(stft.window_s, 2048.0 / 32000);
    const FrameTiming embedding = timing_from_attributes({{"hop_seconds", 0.1}});
    EXPECT_DOUBLE_EQ(embedding.hop_s, 0.1);
    EXPECT_DOUBLE_EQ(embedding.window_s, 0.1);
}

TEST(Json, NonFiniteBecomesNull) {
    EXPECT_TRUE(finite_or_null(NAN).is_null());
    EXPECT_TRUE(finite_or_null(INFINITY).is_null());
    EXPECT_TRUE(finite_or_null(-INFINITY).is_null());
    EXPECT_EQ(finite_or_null(1.5).get<double>(), 1.5);
}

// ---------------------------------------------------------------------------------------
// The server on an ephemeral loopback port

class ServerTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        root_ = uadscope::testing::fresh_temp_dir("server");
        work_ = root_ / "work";
        testing::write_test_workspace(work_);
        web_ = root_ / "web";
        write_file_atomic(web_ / "index.html", "<!doctype html><title>viewer</title>");
        write_file_atomic(web_ / "app.js", "console.log('viewer');");
        write_file_atomic(web_ / "assets" / "logo.svg", "<svg/>");
        write_file_atomic(root_ / "secret.txt", "secret outside the bundle");
        fs::create_symlink(root_ / "secret.txt", web_ / "link.txt");

        workspace_ = std::make_unique<Workspace>(work_);
        ServerOptions options;
        options.port = 0;
        options.threads = 2;
        options.web_dir = web_;
        options.max_points_per_request = 25;
        options.max_audio_seconds = 5;
        server_ = std::make_unique<Server>(*workspace_, options);
        port_ = server_->bind();
        thread_ = std::thread([] { server_->run(); });
    }

    static void TearDownTestSuite() {
        server_->stop();
        thread_.join();
        server_.reset();
        workspace_.reset();
        fs::remove_all(root_);
    }

    static httplib::Client client() {
        httplib::Client http("127.0.0.1", port_);
        http.set_url_encode(false);  // send test paths byte for byte
        return http;
    }

    static json get_json(const std::string& path) {
        auto http = client();
        const auto result = http.Get(path.c_str());
        EXPECT_TRUE(result) << path;
        if (!result) {
            return nullptr;
        }
        EXPECT_EQ(result->status, 200) << path << ": " << result->body;
        EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
        return json::parse(result->body);
    }

    static int status_of(const std::string& path, const httplib::Headers& headers = {}) {
        auto http = client();
        const auto result = http.Get(path.c_str(), headers);
        return result ? result->status : -1;
    }

    static inline fs::path root_;
    static inline fs::path work_;
    static inline fs::path web_;
    static inline std::unique_ptr<Workspace> workspace_;
    static inline std::unique_ptr<Server> server_;
    static inline std::thread thread_;
    static inline int port_ = 0;
};

TEST_F(ServerTest, WorkspaceListsMapsAndScores) {
    const json workspace = get_json("/api/workspace");
    EXPECT_EQ(workspace["files"], 3);
    EXPECT_EQ(workspace["audio"], true);
    ASSERT_EQ(workspace["maps"].size(), 1u);
    const json& map = workspace["maps"][0];
    EXPECT_EQ(map["id"], testing::test_map_id);
    EXPECT_EQ(map["rep"], "log_mel");
    EXPECT_EQ(map["stack"], testing::test_stack);
    EXPECT_EQ(map["scope"], "global");
    EXPECT_EQ(map["points"], 60);
    EXPECT_EQ(map["k"], testing::test_k);
    EXPECT_DOUBLE_EQ(map["hop_s"].get<double>(), 512.0 / 16000);
    ASSERT_EQ(workspace["scores"].size(), 1u);
    EXPECT_EQ(workspace["scores"][0]["name"], "scores");
}

TEST_F(ServerTest, NonFiniteAttributesAreNull) {
    const json map = get_json(std::string("/api/maps/") + testing::test_map_id);
    EXPECT_TRUE(map["numbers"]["trustworthiness"].is_null());
    EXPECT_TRUE(map["numbers"]["knn_preservation"].is_null());
    EXPECT_EQ(map["numbers"]["seed"], 7);
    auto http = client();
    const auto raw = http.Get((std::string("/api/maps/") + testing::test_map_id).c_str());
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->body.find("NaN"), std::string::npos);
    EXPECT_EQ(raw->body.find("Infinity"), std::string::npos);
}

TEST_F(ServerTest, ScoresJoinByDeviceAndName) {
    const json set = get_json("/api/scores/scores");
    ASSERT_EQ(set["scores"].size(), 3u);
    EXPECT_TRUE(set["scores"][0].is_null());  // "nan" in the CSV
    EXPECT_DOUBLE_EQ(set["scores"][1].get<double>(), 1.5);
    EXPECT_TRUE(set["scores"][2].is_null());  // "inf" in the CSV
    EXPECT_EQ(set["matched"], 3);
    EXPECT_EQ(status_of("/api/scores/other"), 404);
}

TEST_F(ServerTest, FileTableHasFieldsAndCodes) {
    const json files = get_json("/api/files");
    EXPECT_EQ(files["count"], 3);
    EXPECT_EQ(files["names"][2], test_files()[2].relative_path);
    EXPECT_DOUBLE_EQ(files["duration_s"][2].get<double>(), 1.5);
    std::map<std::string, json> fields;
    for (const auto& field : files["fields"]) {
        fields[field["name"]] = field;
    }
    ASSERT_TRUE(fields.count("device"));
    EXPECT_EQ(fields["device"]["values"], json({"fan", "valve"}));
    EXPECT_EQ(fields["device"]["codes"], json({0, 0, 1}));
    ASSERT_TRUE(fields.count("split_label"));
    EXPECT_EQ(fields["split_label"]["values"],
              json({"train normal", "test anomaly", "test normal"}));
    ASSERT_TRUE(fields.count("attribute.m-n"));
    EXPECT_EQ(fields["attribute.m-n"]["values"], json({"W", "X", ""}));
    EXPECT_FALSE(fields.count("path"));
}

TEST_F(ServerTest, PointsAreCentredBinaryArrays) {
    const json map = get_json(std::string("/api/maps/") + testing::test_map_id);
    const double center_x = map["center_x"];
    const double center_y = map["center_y"];
    const double scale = map["scale"];
    auto http = client();
    const std::string path = std::string("/api/maps/") + testing::test_map_id + "/points";
    const auto result = http.Get((path + "?offset=20&count=25").c_str());
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200);
    EXPECT_EQ(result->get_header_value("X-Points-Count"), "25");
    EXPECT_EQ(result->get_header_value("X-Points-Total"), "60");
    ASSERT_EQ(result->body.size(), points_block_size(25));
    const char* data = result->body.data();
    for (std::size_t i = 0; i < 25; ++i) {
        const std::size_t point = 20 + i;
        float x = 0;
        float y = 0;
        std::int32_t file = 0;
        std::int32_t frame = 0;
        std::memcpy(&x, data + 8 * i, 4);
        std::memcpy(&y, data + 8 * i + 4, 4);
        std::memcpy(&file, data + 8 * 25 + 4 * i, 4);
        std::memcpy(&frame, data + 12 * 25 + 4 * i, 4);
        const auto fitted = static_cast<std::uint8_t>(data[16 * 25 + i]);
        EXPECT_LE(std::abs(x), 1.0f);
        EXPECT_LE(std::abs(y), 1.0f);
        // float32 of the original coordinate (10000 + ...) has a step of about 1e-3, so the
        // round trip through the centred coordinates agrees to that step.
        EXPECT_NEAR(x * scale + center_x, testing::test_x(point), 1e-3);
        EXPECT_NEAR(y * scale + center_y, testing::test_y(point), 1e-3);
        EXPECT_EQ(file, static_cast<std::int32_t>(point / testing::test_points_per_file));
        EXPECT_EQ(frame, static_cast<std::int32_t>(point % testing::test_points_per_file));
        EXPECT_EQ(fitted, point % 2 == 0 ? 1 : 0);
    }
}

TEST_F(ServerTest, PointsRequestsAreBounded) {
    const std::string path = std::string("/api/maps/") + testing::test_map_id + "/points";
    auto http = client();
    const auto first_page = http.Get(path.c_str());
    ASSERT_TRUE(first_page);
    EXPECT_EQ(first_page->get_header_value("X-Points-Count"), "25");  // the limit
    const auto last_page = http.Get((path + "?offset=50").c_str());
    ASSERT_TRUE(last_page);
    EXPECT_EQ(last_page->get_header_value("X-Points-Count"), "10");
    EXPECT_EQ(status_of(path + "?count=26"), 400);
    EXPECT_EQ(status_of(path + "?offset=61"), 400);
    EXPECT_EQ(status_of(path + "?offset=-1"), 400);
    EXPECT_EQ(status_of(path + "?offset=abc"), 400);
}

TEST_F(ServerTest, PointDetailsAndNeighbors) {
    const std::string map = std::string("/api/maps/") + testing::test_map_id;
    const json details = get_json(map + "/points/47");
    EXPECT_EQ(details["file_id"], 2);
    EXPECT_EQ(details["frame"], 7);
    EXPECT_EQ(details["fitted"], false);
    EXPECT_EQ(details["manifest"]["device"], "valve");
    EXPECT_EQ(details["manifest"]["attributes"], "pat=03");
    EXPECT_DOUBLE_EQ(details["start_s"].get<double>(), (7 * 512 - 512) / 16000.0);
    EXPECT_DOUBLE_EQ(details["end_s"].get<double>(), (11 * 512 + 512) / 16000.0);
    EXPECT_FLOAT_EQ(details["x"].get<float>(), testing::test_x(47));
    EXPECT_TRUE(details["scores"]["scores"].is_null());

    const json neighbors = get_json(map + "/neighbors/59");
    ASSERT_EQ(neighbors["neighbors"].size(), static_cast<std::size_t>(testing::test_k));
    EXPECT_EQ(neighbors["neighbors"][0]["point"], 0);  // (59 + 1) % 60
    EXPECT_EQ(neighbors["neighbors"][0]["split"], "train");
    EXPECT_DOUBLE_EQ(neighbors["neighbors"][1]["distance"].get<double>(), 2.0);

    EXPECT_EQ(status_of(map + "/points/60"), 404);
    EXPECT_EQ(status_of(map + "/neighbors/99999999999"), 404);
    EXPECT_EQ(status_of("/api/maps/unknown_map/points/0"), 404);
}

TEST_F(ServerTest, AudioSpanIsExactDownmix) {
    // File 2: stereo 22.05 kHz; the span is served at the file's own rate.
    auto http = client();
    const auto result = http.Get("/audio/2?start=0.5&end=0.75");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200);
    EXPECT_EQ(result->get_header_value("Content-Type"), "audio/wav");
    EXPECT_EQ(result->get_header_value("Accept-Ranges"), "bytes");
    const std::size_t first = std::llround(0.5 * 22050);
    const std::size_t samples = std::llround(0.75 * 22050) - first;
    ASSERT_EQ(result->body.size(), 44 + 2 * samples);
    std::uint32_t rate = 0;
    std::memcpy(&rate, result->body.data() + 24, 4);
    EXPECT_EQ(rate, 22050u);
    const testing::TestFile& file = test_files()[2];
    for (std::size_t i = 0; i < samples; i += 97) {
        std::int16_t value = 0;
        std::memcpy(&value, result->body.data() + 44 + 2 * i, 2);
        const auto at = static_cast<std::int64_t>(first + i);
        const double expected =
            (testing::test_sample(file, 0, at) + testing::test_sample(file, 1, at)) / 2;
        // Two 16-bit quantisations (file, response) of 1/32768 each, plus rounding.
        EXPECT_NEAR(value / 32768.0, expected, 3.0 / 32768) << "sample " << i;
    }
}

TEST_F(ServerTest, AudioRangeRequests) {
    auto http = client();
    const auto full = http.Get("/audio/0?start=0&end=1");
    ASSERT_TRUE(full);
    ASSERT_EQ(full->status, 200);
    const std::size_t size = full->body.size();
    ASSERT_EQ(size, 44u + 2 * 16000);

    const auto head = http.Get("/audio/0?start=0&end=1", {{"Range", "bytes=0-99"}});
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 206);
    EXPECT_EQ(head->get_header_value("Content-Range"), "bytes 0-99/" + std::to_string(size));
    EXPECT_EQ(head->body, full->body.substr(0, 100));

    const auto tail = http.Get("/audio/0?start=0&end=1", {{"Range", "bytes=-10"}});
    ASSERT_TRUE(tail);
    EXPECT_EQ(tail->status, 206);
    EXPECT_EQ(tail->body, full->body.substr(size - 10));

    const auto open = http.Get("/audio/0?start=0&end=1", {{"Range", "bytes=30000-99999999"}});
    ASSERT_TRUE(open);
    EXPECT_EQ(open->status, 206);
    EXPECT_EQ(open->get_header_value("Content-Range"),
              "bytes 30000-" + std::to_string(size - 1) + "/" + std::to_string(size));
    EXPECT_EQ(open->body, full->body.substr(30000));

    const auto past =
        http.Get("/audio/0?start=0&end=1", {{"Range", "bytes=" + std::to_string(size) + "-"}});
    ASSERT_TRUE(past);
    EXPECT_EQ(past->status, 416);
    EXPECT_EQ(past->get_header_value("Content-Range"), "bytes */" + std::to_string(size));
}

TEST_F(ServerTest, MalformedRangeIsIgnored) {
    auto http = client();
    const auto full = http.Get("/audio/0?start=0&end=1");
    ASSERT_TRUE(full);
    ASSERT_EQ(full->status, 200);
    for (const char* header :
         {"bytes=abc", "bytes=5-2", "bytes=", "items=0-5", "bytes= 0-99", "bytes=0-5, 9-2"}) {
        const auto audio = http.Get("/audio/0?start=0&end=1", {{"Range", header}});
        ASSERT_TRUE(audio) << header;
        EXPECT_EQ(audio->status, 200) << header;
        EXPECT_EQ(audio->body, full->body) << header;
        EXPECT_FALSE(audio->has_header("Content-Range")) << header;

        const auto api = http.Get("/api/workspace", {{"Range", header}});
        ASSERT_TRUE(api) << header;
        EXPECT_EQ(api->status, 200) << header;
        EXPECT_NO_THROW(static_cast<void>(json::parse(api->body))) << header;
    }
}

TEST_F(ServerTest, ApiRoutesIgnoreRange) {
    auto http = client();
    const auto whole = http.Get("/api/maps");
    ASSERT_TRUE(whole);
    for (const char* header : {"bytes=0-5", "bytes=100000-", "bytes=-3"}) {
        const auto result = http.Get("/api/maps", {{"Range", header}});
        ASSERT_TRUE(result) << header;
        EXPECT_EQ(result->status, 200) << header;
        EXPECT_EQ(result->body, whole->body) << header;
    }
    // A malformed Range is not a way around the Host check.
    EXPECT_EQ(status_of("/api/workspace", {{"Host", "attacker.example"}, {"Range", "bytes=x"}}),
              403);
}

TEST_F(ServerTest, AudioWholeFileAndContext) {
    auto http = client();
    const auto whole = http.Get("/audio/1");
    ASSERT_TRUE(whole);
    ASSERT_EQ(whole->status, 200);
    EXPECT_EQ(whole->body.size(), 44u + 2 * 32000);  // 2 s at 16 kHz
    const auto context = http.Get("/audio/1?start=1&end=1.5&context=0.25");
    ASSERT_TRUE(context);
    ASSERT_EQ(context->status, 200);
    EXPECT_EQ(context->body.size(), 44u + 2 * 16000);  // [0.75, 1.75) s
    const auto clipped = http.Get("/audio/1?start=1.5&end=3");
    ASSERT_TRUE(clipped);
    EXPECT_EQ(clipped->body.size(), 44u + 2 * 8000);  // the file ends at 2 s
}

TEST_F(ServerTest, AudioRejectsBadSpans) {
    EXPECT_EQ(status_of("/audio/0?start=abc"), 400);
    EXPECT_EQ(status_of("/audio/0?start=1&end=0.5"), 400);
    EXPECT_EQ(status_of("/audio/0?start=-1&end=0.5"), 400);
    EXPECT_EQ(status_of("/audio/0?start=0&end=nan"), 400);
    EXPECT_EQ(status_of("/audio/0?start=0&end=6"), 400);  // over max_audio_seconds
    EXPECT_EQ(status_of("/audio/0?start=0&end=1&context=99"), 400);
    EXPECT_EQ(status_of("/audio/0?normalize=loud"), 400);
    EXPECT_EQ(status_of("/audio/0?start=0&end=1&normalize=peak"), 200);
}

TEST_F(ServerTest, OnlyManifestFilesAreReachable) {
    EXPECT_EQ(status_of("/audio/3"), 404);
    EXPECT_EQ(status_of("/audio/999999999999"), 404);
    EXPECT_EQ(status_of("/audio/99999999999999999999999"), 404);
    EXPECT_EQ(status_of("/audio/-1"), 404);
    EXPECT_EQ(status_of("/audio/0x1"), 404);
    EXPECT_EQ(status_of("/audio/"), 404);
}

TEST_F(ServerTest, PathTraversalIsNotFound) {
    const std::string manifest = read_file(work_ / "manifest.csv");
    const std::vector<std::string> paths = {
        "/../manifest.csv",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/%2fetc%2fpasswd",
        "//etc/passwd",
        "/etc/passwd",
        "/link.txt",
        "/api/maps/..%2fmanifest",
        "/api/maps/../manifest.csv",
        "/api/maps/%2e%2e/points",
        "/api/scores/..",
        "/audio/0%2f..%2f..%2fmanifest.csv",
        "/audio/..%2fmanifest.csv",
        "/audio/%2fetc%2fpasswd",
        "/" + root_.string() + "/secret.txt",
    };
    auto http = client();
    for (const std::string& path : paths) {
        const auto result = http.Get(path.c_str());
        ASSERT_TRUE(result) << path;
        EXPECT_EQ(result->status, 404) << path;
        EXPECT_EQ(result->body.find("secret outside"), std::string::npos) << path;
        EXPECT_EQ(result->body.find("file_id,path"), std::string::npos) << path;
    }
}

TEST_F(ServerTest, StaticFilesByExactLookup) {
    auto http = client();
    const auto index = http.Get("/");
    ASSERT_TRUE(index);
    EXPECT_EQ(index->status, 200);
    EXPECT_EQ(index->body, "<!doctype html><title>viewer</title>");
    EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
    const auto script = http.Get("/app.js");
    ASSERT_TRUE(script);
    EXPECT_EQ(script->status, 200);
    EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(status_of("/assets/logo.svg"), 200);
    EXPECT_EQ(status_of("/assets/"), 404);
    EXPECT_EQ(status_of("/app.js/"), 404);
}

TEST_F(ServerTest, NonLoopbackHostIsForbidden) {
    EXPECT_EQ(status_of("/api/workspace", {{"Host", "attacker.example:8765"}}), 403);
    EXPECT_EQ(status_of("/api/workspace", {{"Host", "localhost:8765"}}), 200);
}

TEST(ServerBundle, MissingBundleExplainsHowToBuild) {
    const fs::path root = uadscope::testing::fresh_temp_dir("server-no-bundle");
    testing::write_test_workspace(root);
    Workspace workspace(root);
    ServerOptions options;
    options.port = 0;
    options.threads = 1;
    Server server(workspace, options);
    const int port = server.bind();
    std::thread serving([&server] { server.run(); });
    httplib::Client http("127.0.0.1", port);
    const auto page = http.Get("/");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_NE(page->body.find("npm run build"), std::string::npos);
    const auto api = http.Get("/api/maps");
    ASSERT_TRUE(api);
    EXPECT_EQ(api->status, 200);
    server.stop();
    serving.join();
    fs::remove_all(root);
}

std::string bind_error(const ServerOptions& options, Workspace& workspace) {
    Server server(workspace, options);
    try {
        server.bind();
    } catch (const Error& error) {
        return error.what();
    }
    return "";
}

TEST(ServerBind, BusyPortIsRejected) {
    const fs::path root = uadscope::testing::fresh_temp_dir("server-busy-port");
    testing::write_test_workspace(root);
    Workspace workspace(root);
    ServerOptions options;
    options.port = 0;
    options.threads = 1;
    Server first(workspace, options);
    options.port = first.bind();
    const std::string message = bind_error(options, workspace);
    EXPECT_NE(message.find("port " + std::to_string(options.port) + " on 127.0.0.1 is in use"),
              std::string::npos)
        << message;
    fs::remove_all(root);
}

TEST(ServerBind, InvalidHostIsNamed) {
    const fs::path root = uadscope::testing::fresh_temp_dir("server-bad-host");
    testing::write_test_workspace(root);
    Workspace workspace(root);
    ServerOptions options;
    options.host = "999.1.1.1";
    options.port = 0;
    options.threads = 1;
    const std::string message = bind_error(options, workspace);
    EXPECT_NE(message.find("'999.1.1.1' is invalid"), std::string::npos) << message;
    EXPECT_EQ(message.find("in use"), std::string::npos) << message;
    fs::remove_all(root);
}

TEST(ServerBind, PrivilegedPortNamesPermission) {
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root may bind ports below 1024";
    }
    std::ifstream start_file("/proc/sys/net/ipv4/ip_unprivileged_port_start");
    int unprivileged_start = 1024;
    start_file >> unprivileged_start;
    if (unprivileged_start <= 80) {
        GTEST_SKIP() << "this kernel lets every user bind port 80";
    }
    const fs::path root = uadscope::testing::fresh_temp_dir("server-privileged-port");
    testing::write_test_workspace(root);
    Workspace workspace(root);
    ServerOptions options;
    options.port = 80;
    options.threads = 1;
    const std::string message = bind_error(options, workspace);
    EXPECT_NE(message.find("permission denied"), std::string::npos) << message;
    fs::remove_all(root);
}

TEST(ServerOptionsTest, RejectsInvalidValues) {
    ServerOptions options;
    options.threads = 0;
    EXPECT_THROW(options.validate(), Error);
    options = {};
    options.port = 70000;
    EXPECT_THROW(options.validate(), Error);
    options = {};
    options.max_audio_seconds = 0;
    EXPECT_THROW(options.validate(), Error);
    options = {};
    EXPECT_NO_THROW(options.validate());
}

TEST(ServerStaleMap, MapOfOtherManifestAnswers409) {
    const fs::path root = uadscope::testing::fresh_temp_dir("server-stale-map");
    testing::write_test_workspace(root);
    const fs::path good = root / "maps" / (std::string(testing::test_map_id) + ".h5");
    store::MapData map = store::read_map(good);
    map.text["manifest_fingerprint"] =
        dataset::manifest_fingerprint(read_file(root / "manifest.csv"));
    store::write_map(good, map);
    map.text["manifest_fingerprint"] = "fingerprint of an older manifest.csv";
    store::write_map(root / "maps" / "old_s1_global.h5", map);

    Workspace workspace(root);
    ServerOptions options;
    options.port = 0;
    options.threads = 1;
    Server server(workspace, options);
    const int port = server.bind();
    std::thread serving([&server] { server.run(); });
    httplib::Client http("127.0.0.1", port);

    const auto listing = http.Get("/api/maps");
    ASSERT_TRUE(listing);
    ASSERT_EQ(listing->status, 200);
    const json maps = json::parse(listing->body);
    ASSERT_EQ(maps.size(), 2u);
    for (const json& info : maps) {
        if (info["id"] == "old_s1_global") {
            ASSERT_TRUE(info["stale"].is_string());
            EXPECT_NE(info["stale"].get<std::string>().find("was made from another manifest.csv"),
                      std::string::npos);
        } else {
            EXPECT_TRUE(info["stale"].is_null()) << info["stale"];
        }
    }
    const auto stale = http.Get("/api/maps/old_s1_global/points");
    ASSERT_TRUE(stale);
    EXPECT_EQ(stale->status, 409);
    EXPECT_NE(stale->body.find("run uadscope map"), std::string::npos) << stale->body;
    const auto served = http.Get(("/api/maps/" + std::string(testing::test_map_id)).c_str());
    ASSERT_TRUE(served);
    EXPECT_EQ(served->status, 200);

    server.stop();
    serving.join();
    fs::remove_all(root);
}

TEST(WorkspaceTest, RejectsMapWithFileOutsideManifest) {
    const fs::path root = uadscope::testing::fresh_temp_dir("server-bad-map");
    testing::write_test_workspace(root);
    store::MapData map;
    map.points = 1;
    map.embedding = {0.0f, 0.0f};
    map.file_id = {3};  // the manifest has files 0..2
    map.frame = {0};
    map.fitted = {1};
    store::write_map(root / "maps" / "bad_s1_global.h5", map);
    Workspace workspace(root);
    EXPECT_THROW(workspace.load_map("bad_s1_global"), Error);
    EXPECT_EQ(workspace.load_map("missing"), nullptr);
    fs::remove_all(root);
}

}  // namespace
}  // namespace uadscope::server
