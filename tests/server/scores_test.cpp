// Score sets read from WORK/scores: which CSV files count as scores and which warnings the
// reader logs.

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/paths.h"
#include "core/atomic_file.h"
#include "server/scores.h"

namespace uadscope::server {
namespace {

namespace fs = std::filesystem;

// Replaces the default logger with one that keeps its messages, and restores it on exit.
class CapturedLog {
  public:
    CapturedLog()
        : previous_(spdlog::default_logger()),
          sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100)) {
        auto logger = std::make_shared<spdlog::logger>("captured", sink_);
        logger->set_level(spdlog::level::debug);
        logger->set_pattern("%l %v");
        spdlog::set_default_logger(logger);
    }
    ~CapturedLog() { spdlog::set_default_logger(previous_); }

    // Logged lines at warning level or above.
    std::vector<std::string> warnings() const {
        std::vector<std::string> found;
        for (const auto& line : sink_->last_formatted()) {
            if (line.starts_with("warning") || line.starts_with("error")) {
                found.push_back(line);
            }
        }
        return found;
    }

  private:
    std::shared_ptr<spdlog::logger> previous_;
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

FileTable two_fan_files() {
    FileTable table;
    table.columns = {"device"};
    table.rows = {{"fan"}, {"fan"}};
    table.paths = {"/data/fan/test/section_00_source_test_normal_0000.wav",
                   "/data/fan/test/section_00_source_test_anomaly_0001.wav"};
    return table;
}

TEST(ScoreSets, EvaluatorFilesAreNotScores) {
    const fs::path scores = testing::fresh_temp_dir("server-score-sets") / "scores";
    const fs::path folder = scores / "knn_log_mel_s1_map-device-fan";
    write_file_atomic(folder / "anomaly_score_fan_section_00_test.csv",
                      "section_00_source_test_normal_0000.wav,0.25\n"
                      "section_00_source_test_anomaly_0001.wav,2.5\n");
    write_file_atomic(folder / "decision_result_fan_section_00_test.csv",
                      "section_00_source_test_normal_0000.wav,0\n"
                      "section_00_source_test_anomaly_0001.wav,1\n");
    write_file_atomic(folder / "result.csv", "fan\nsection,AUC (all)\n00,1.0\n");
    write_file_atomic(folder / "result.json", "{}\n");

    const CapturedLog log;
    const auto sets = read_score_sets(scores, two_fan_files());
    EXPECT_TRUE(log.warnings().empty()) << log.warnings().front();
    ASSERT_EQ(sets.size(), 1u);
    EXPECT_EQ(sets[0].name, "knn_log_mel_s1_map-device-fan");
    EXPECT_EQ(sets[0].matched, 2u);
    ASSERT_EQ(sets[0].scores.size(), 2u);
    EXPECT_DOUBLE_EQ(sets[0].scores[0], 0.25);
    EXPECT_DOUBLE_EQ(sets[0].scores[1], 2.5);
}

TEST(ScoreSets, DeviceWithSchemeMatches) {
    // A DCASE 2020 fan and a DCASE 2022 fan share a file name; `uadscope score` writes
    // anomaly_score_fan-dcase2022_... for the second.
    FileTable table;
    table.columns = {"device", "scheme"};
    table.rows = {{"fan", "dcase2020"}, {"fan", "dcase2022"}};
    table.paths = {"/data/2020/fan/test/same_name.wav", "/data/2022/fan/test/same_name.wav"};
    const fs::path scores = testing::fresh_temp_dir("server-score-scheme") / "scores";
    write_file_atomic(scores / "knn" / "anomaly_score_fan-dcase2022_section_00_test.csv",
                      "same_name.wav,4.5\n");

    const CapturedLog log;
    const auto sets = read_score_sets(scores, table);
    EXPECT_TRUE(log.warnings().empty()) << log.warnings().front();
    ASSERT_EQ(sets.size(), 1u);
    EXPECT_EQ(sets[0].matched, 1u);
    EXPECT_TRUE(std::isnan(sets[0].scores[0]));
    EXPECT_DOUBLE_EQ(sets[0].scores[1], 4.5);
}

TEST(ScoreSets, MisnamedScoreFileWarns) {
    const fs::path scores = testing::fresh_temp_dir("server-score-misnamed") / "scores";
    write_file_atomic(scores / "anomaly_score_fan.csv",
                      "section_00_source_test_normal_0000.wav,0.25\n");

    const CapturedLog log;
    const auto sets = read_score_sets(scores, two_fan_files());
    EXPECT_TRUE(sets.empty());
    const auto warnings = log.warnings();
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("anomaly_score_fan.csv"), std::string::npos) << warnings[0];
}

}  // namespace
}  // namespace uadscope::server
