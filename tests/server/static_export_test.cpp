#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "server/api.h"
#include "server/static_export.h"
#include "server/test_workspace.h"

namespace uadscope::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string decode_base64(const std::string& text) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z')
            return c - 'A';
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 26;
        if (c >= '0' && c <= '9')
            return c - '0' + 52;
        if (c == '+')
            return 62;
        if (c == '/')
            return 63;
        return -1;
    };
    std::string out;
    int buffer = 0;
    int bits = 0;
    for (const char c : text) {
        const int v = value(c);
        if (v < 0) {
            break;  // padding
        }
        buffer = (buffer << 6) | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    return out;
}

// Text between `start` and the next `end` after it.
std::string between(const std::string& text, const std::string& start, const std::string& end) {
    const std::size_t from = text.find(start);
    if (from == std::string::npos) {
        return {};
    }
    const std::size_t to = text.find(end, from + start.size());
    return text.substr(from + start.size(), to - from - start.size());
}

class StaticExportTest : public ::testing::Test {
  protected:
    void SetUp() override {
        root_ = uadscope::testing::fresh_temp_dir("static-export");
        work_ = root_ / "work";
        testing::write_test_workspace(work_);
        web_ = root_ / "web";
        write_file_atomic(web_ / "index.html",
                          "<!doctype html><head><link rel=\"stylesheet\" href=\"app.css\"></head>"
                          "<body><main></main><script src=\"app.js\"></script></body>");
        write_file_atomic(web_ / "app.js", "const tag = '</script>'; boot();");
        write_file_atomic(web_ / "app.css", "body { color: red; }");
        options_.web_dir = web_;
    }
    void TearDown() override { fs::remove_all(root_); }

    fs::path root_;
    fs::path work_;
    fs::path web_;
    ExportHtmlOptions options_;
};

TEST(Base64, MatchesRfc4648Vectors) {
    EXPECT_EQ(encode_base64(""), "");
    EXPECT_EQ(encode_base64("f"), "Zg==");
    EXPECT_EQ(encode_base64("fo"), "Zm8=");
    EXPECT_EQ(encode_base64("foo"), "Zm9v");
    EXPECT_EQ(encode_base64("foob"), "Zm9vYg==");
    EXPECT_EQ(encode_base64("fooba"), "Zm9vYmE=");
    EXPECT_EQ(encode_base64("foobar"), "Zm9vYmFy");
    EXPECT_EQ(encode_base64(std::string("\xff\x00\x80", 3)), "/wCA");
}

TEST_F(StaticExportTest, PageIsSelfContained) {
    const fs::path out = root_ / "out" / "explorer.html";
    export_html(work_, out, options_);
    const std::string page = read_file(out);
    EXPECT_EQ(page.find("href=\"app.css\""), std::string::npos);
    EXPECT_EQ(page.find("src=\"app.js\""), std::string::npos);
    EXPECT_NE(page.find("<style>body { color: red; }</style>"), std::string::npos);
    // The bundle's "</script>" string must not close the inlined script element.
    EXPECT_NE(page.find("const tag = '<\\/script>'; boot();</script>"), std::string::npos);
    EXPECT_EQ(page.find("http://"), std::string::npos);
    EXPECT_EQ(page.find("https://"), std::string::npos);
}

TEST_F(StaticExportTest, EmbeddedDataMatchesTheApi) {
    const fs::path out = root_ / "explorer.html";
    export_html(work_, out, options_);
    const std::string page = read_file(out);
    std::string text =
        between(page, "<script id=\"uadscope-data\" type=\"application/json\">", "</script>");
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.find("NaN"), std::string::npos);
    EXPECT_EQ(text.find("Infinity"), std::string::npos);
    const json data = json::parse(text);
    EXPECT_EQ(data["workspace"]["audio"], false);
    EXPECT_EQ(data["files"]["count"], 3);
    ASSERT_EQ(data["maps"].size(), 1u);
    const json& map = data["maps"][0];
    EXPECT_EQ(map["meta"]["id"], testing::test_map_id);
    EXPECT_TRUE(map["meta"]["numbers"]["trustworthiness"].is_null());

    Workspace workspace(work_);
    const auto loaded = workspace.load_map(testing::test_map_id);
    ASSERT_NE(loaded, nullptr);
    EXPECT_EQ(decode_base64(map["points"]), points_block(*loaded, 0, 60));
    const std::string knn = decode_base64(map["knn_indices"]);
    ASSERT_EQ(knn.size(), 60u * testing::test_k * 4);
    std::int32_t first = -1;
    std::memcpy(&first, knn.data(), 4);
    EXPECT_EQ(first, 1);
    ASSERT_EQ(data["scores"].size(), 1u);
    EXPECT_DOUBLE_EQ(data["scores"][0]["scores"][1].get<double>(), 1.5);
    EXPECT_TRUE(data["scores"][0]["scores"][2].is_null());
}

TEST_F(StaticExportTest, WithoutNeighborsLeavesArraysOut) {
    options_.neighbors = false;
    const fs::path out = root_ / "explorer.html";
    export_html(work_, out, options_);
    const std::string page = read_file(out);
    EXPECT_EQ(page.find("knn_indices"), std::string::npos);
}

TEST_F(StaticExportTest, RejectsBadRequests) {
    const fs::path out = root_ / "explorer.html";
    options_.maps = {"no_such_map"};
    EXPECT_THROW(export_html(work_, out, options_), Error);
    options_.maps = {};
    options_.max_points = 59;
    EXPECT_THROW(export_html(work_, out, options_), Error);
    options_.max_points = 60;
    EXPECT_NO_THROW(export_html(work_, out, options_));
    options_.web_dir = root_ / "missing";
    EXPECT_THROW(export_html(work_, out, options_), Error);
    write_file_atomic(root_ / "plain" / "index.html", "<html></html>");
    options_.web_dir = root_ / "plain";
    EXPECT_THROW(export_html(work_, out, options_), Error);
}

}  // namespace
}  // namespace uadscope::server
