// Reading the official evaluators' input layouts, with the bad inputs they meet in
// practice: missing files, malformed lines, names that do not match.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "analysis/evaluator_input.h"
#include "common/paths.h"
#include "core/atomic_file.h"
#include "core/error.h"

namespace uadscope::analysis {
namespace {

namespace fs = std::filesystem;

class EvaluatorInputTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        root_ = uadscope::testing::fresh_temp_dir(std::string("evaluator-input-") + info->name());
        scores_ = root_ / "scores";
        truth_ = root_ / "ground_truth";
        fs::create_directories(scores_);
        fs::create_directories(truth_);
    }
    void TearDown() override { fs::remove_all(root_); }

    void write(const fs::path& path, const std::string& text) {
        fs::create_directories(path.parent_path());
        write_file_atomic(path, text);
    }

    // A complete 2021-layout part: three clips, the anomalous one scored highest.
    void write_part_2021(const std::string& machine, const std::string& domain) {
        const std::string stem = machine + "_section_00_" + domain + "_test.csv";
        write(truth_ / ("ground_truth_" + stem), "c.wav,0\na.wav,1\nb.wav,0\n");
        write(scores_ / ("anomaly_score_" + stem), "b.wav,0.2\na.wav,0.9\nc.wav,0.1\n");
        write(scores_ / ("decision_result_" + stem), "a.wav,1\nb.wav,0\nc.wav,1\n");
    }

    const UnavailablePart& only_problem(const EvaluatorInput& input) {
        EXPECT_EQ(input.unavailable.size(), 1u);
        return input.unavailable.at(0);
    }

    fs::path root_;
    fs::path scores_;
    fs::path truth_;
};

TEST_F(EvaluatorInputTest, Reads2021LayoutJoinedByName) {
    write_part_2021("fan", "source");
    write_part_2021("fan", "target");
    EXPECT_EQ(detect_evaluator_layout(truth_), EvaluatorLayout::dcase2021);
    const EvaluatorInput input = read_evaluator_input(scores_, truth_);
    EXPECT_EQ(input.layout, EvaluatorLayout::dcase2021);
    EXPECT_TRUE(input.unavailable.empty());
    ASSERT_EQ(input.clips.size(), 6u);
    // Clips in file-name order: a, b, c.
    EXPECT_EQ(input.clips[0].label, 1);
    EXPECT_EQ(input.clips[0].score, 0.9);
    EXPECT_EQ(input.clips[0].decision, 1);
    EXPECT_EQ(input.clips[1].score, 0.2);
    EXPECT_EQ(input.clips[2].decision, 1);
    EXPECT_EQ(input.clips[0].machine, "fan");
    EXPECT_EQ(input.clips[0].section, "00");
    EXPECT_EQ(input.clips[0].domain, Domain::source);
    EXPECT_EQ(input.clips[3].domain, Domain::target);
}

TEST_F(EvaluatorInputTest, AcceptsNestedFolderBlankLinesAndCrlf) {
    truth_ = truth_ / "ground_truth_data";
    write(truth_ / "ground_truth_fan_section_00_source_test.csv", "a.wav,1\r\n\r\n\"b.wav\",0\r\n");
    write(scores_ / "anomaly_score_fan_section_00_source_test.csv", "a.wav, +1.5e0 \nb.wav,-2\n");
    write(scores_ / "decision_result_fan_section_00_source_test.csv", "a.wav,1.0\nb.wav,0\n");
    const EvaluatorInput input = read_evaluator_input(scores_, truth_.parent_path());
    ASSERT_TRUE(input.unavailable.empty()) << input.unavailable[0].reason;
    ASSERT_EQ(input.clips.size(), 2u);
    EXPECT_EQ(input.clips[0].score, 1.5);
    EXPECT_EQ(input.clips[1].score, -2.0);
}

TEST_F(EvaluatorInputTest, MissingScoreFileMakesPartUnavailable) {
    write_part_2021("fan", "source");
    write_part_2021("fan", "target");
    fs::remove(scores_ / "anomaly_score_fan_section_00_target_test.csv");
    const EvaluatorInput input = read_evaluator_input(scores_, truth_);
    const UnavailablePart& part = only_problem(input);
    EXPECT_EQ(part.machine, "fan");
    EXPECT_EQ(part.section, "00");
    EXPECT_EQ(part.domain, Domain::target);
    EXPECT_FALSE(part.decisions_only);
    EXPECT_NE(part.reason.find("anomaly_score_fan_section_00_target_test.csv' is missing"),
              std::string::npos)
        << part.reason;
    EXPECT_EQ(input.clips.size(), 3u);  // the source part is still read
}

TEST_F(EvaluatorInputTest, MalformedLineNamesFileAndLine) {
    write_part_2021("fan", "source");
    write(scores_ / "anomaly_score_fan_section_00_source_test.csv", "a.wav,0.9\nb.wav\nc.wav,1\n");
    const UnavailablePart& part = only_problem(read_evaluator_input(scores_, truth_));
    EXPECT_NE(part.reason.find("anomaly_score_fan_section_00_source_test.csv:2:"),
              std::string::npos)
        << part.reason;
    EXPECT_NE(part.reason.find("two comma-separated columns"), std::string::npos);
}

TEST_F(EvaluatorInputTest, HeaderLineIsRejected) {
    write_part_2021("fan", "source");
    write(scores_ / "anomaly_score_fan_section_00_source_test.csv",
          "file,score\na.wav,0.9\nb.wav,0.2\nc.wav,0.1\n");
    const UnavailablePart& part = only_problem(read_evaluator_input(scores_, truth_));
    EXPECT_NE(part.reason.find(":1: anomaly score 'score' of 'file' is not a number"),
              std::string::npos)
        << part.reason;
    EXPECT_NE(part.reason.find("no header"), std::string::npos);
}

TEST_F(EvaluatorInputTest, NonFiniteScoreIsRejected) {
    write_part_2021("fan", "source");
    write(scores_ / "anomaly_score_fan_section_00_source_test.csv",
          "a.wav,nan\nb.wav,0.2\nc.wav,0.1\n");
    const UnavailablePart& part = only_problem(read_evaluator_input(scores_, truth_));
    EXPECT_NE(part.reason.find("not finite"), std::string::npos) << part.reason;
}

TEST_F(EvaluatorInputTest, GroundTruthFileMissingFromScores) {
    write_part_2021("fan", "source");
    write(scores_ / "anomaly_score_fan_section_00_source_test.csv", "a.wav,0.9\nb.wav,0.2\n");
    const UnavailablePart& part = only_problem(read_evaluator_input(scores_, truth_));
    EXPECT_NE(part.reason.find("has no row for 1 file(s)"), std::string::npos) << part.reason;
    EXPECT_NE(part.reason.find("'c.wav'"), std::string::npos) << part.reason;
}

TEST_F(EvaluatorInputTest, ScoreRowsNotInGroundTruth) {
    write_part_2021("fan", "source");
    write(scores_ / "anomaly_score_fan_section_00_source_test.csv",
          "a.wav,0.9\nb.wav,0.2\nc.wav,0.1\nd.wav,0.5\n");
    const UnavailablePart& part = only_problem(read_evaluator_input(scores_, truth_));
    EXPECT_NE(part.reason.find("1 row(s) for files not listed"), std::string::npos) << part.reason;
    EXPECT_NE(part.reason.find("'d.wav'"), std::string::npos);
}

TEST_F(EvaluatorInputTest, DuplicateNameIsRejected) {
    write_part_2021("fan", "source");
    write(scores_ / "anomaly_score_fan_section_00_source_test.csv",
          "a.wav,0.9\nb.wav,0.2\nc.wav,0.1\na.wav,0.3\n");
    const UnavailablePart& part = only_problem(read_evaluator_input(scores_, truth_));
    EXPECT_NE(part.reason.find(":4: file name 'a.wav' already occurs on line 1"), std::string::npos)
        << part.reason;
}

TEST_F(EvaluatorInputTest, InvalidLabelMakesPartUnavailable) {
    write_part_2021("fan", "source");
    write(truth_ / "ground_truth_fan_section_00_source_test.csv", "a.wav,1\nb.wav,2\nc.wav,0\n");
    const UnavailablePart& part = only_problem(read_evaluator_input(scores_, truth_));
    EXPECT_NE(part.reason.find("label '2' of 'b.wav' is invalid"), std::string::npos)
        << part.reason;
}

TEST_F(EvaluatorInputTest, MissingDecisionsKeepScores) {
    write_part_2021("fan", "source");
    fs::remove(scores_ / "decision_result_fan_section_00_source_test.csv");
    const EvaluatorInput input = read_evaluator_input(scores_, truth_);
    const UnavailablePart& part = only_problem(input);
    EXPECT_TRUE(part.decisions_only);
    EXPECT_NE(part.reason.find("decision result file"), std::string::npos) << part.reason;
    ASSERT_EQ(input.clips.size(), 3u);
    EXPECT_FALSE(input.clips[0].decision.has_value());
    EXPECT_EQ(input.clips[0].score, 0.9);
}

TEST_F(EvaluatorInputTest, InvalidDecisionIsRejected) {
    write_part_2021("fan", "source");
    write(scores_ / "decision_result_fan_section_00_source_test.csv",
          "a.wav,1\nb.wav,0.5\nc.wav,0\n");
    const UnavailablePart& part = only_problem(read_evaluator_input(scores_, truth_));
    EXPECT_TRUE(part.decisions_only);
    EXPECT_NE(part.reason.find("decision '0.5' of 'b.wav' is invalid"), std::string::npos)
        << part.reason;
}

TEST_F(EvaluatorInputTest, NoGroundTruthIsAnError) {
    write(truth_ / "notes.txt", "nothing here\n");
    EXPECT_FALSE(detect_evaluator_layout(truth_).has_value());
    EXPECT_THROW(read_evaluator_input(scores_, truth_), Error);
    EXPECT_THROW(read_evaluator_input(scores_, root_ / "absent"), Error);
    write_part_2021("fan", "source");
    EXPECT_THROW(read_evaluator_input(root_ / "absent", truth_), Error);
}

// 2023 layout: one file per section, domains from ground_truth_domain, score names mapped
// through ground_truth_attributes, baseline-style score file names.
TEST_F(EvaluatorInputTest, Reads2023LayoutWithRenamesAndBaselineNames) {
    write(truth_ / "ground_truth_data" / "ground_truth_fan_section_00_test.csv",
          "section_00_0001.wav,1\nsection_00_0000.wav,0\nsection_00_0002.wav,0\n");
    write(truth_ / "ground_truth_domain" / "ground_truth_fan_section_00_test.csv",
          "section_00_0000.wav,0\nsection_00_0001.wav,0\nsection_00_0002.wav,1\n");
    write(truth_ / "ground_truth_attributes" / "ground_truth_fan_section_00_test.csv",
          "section_00_0000.wav,section_00_source_test_normal_0007\n"
          "section_00_0001.wav,section_00_source_test_anomaly_0003\n");
    // Two rows use original names, the third the evaluation name.
    const std::string scores =
        "section_00_source_test_normal_0007.wav,0.3\n"
        "section_00_source_test_anomaly_0003.wav,0.8\n"
        "section_00_0002.wav,0.5\n";
    write(scores_ / "anomaly_score_DCASE2023T2fan_section_00_test_seed13711_id(0_)_Eval.csv",
          scores);
    write(scores_ / "decision_result_DCASE2023T2fan_section_00_test_seed13711_id(0_)_Eval.csv",
          "section_00_source_test_normal_0007.wav,0\n"
          "section_00_source_test_anomaly_0003.wav,1\n"
          "section_00_0002.wav,1\n");
    EXPECT_EQ(detect_evaluator_layout(truth_), EvaluatorLayout::dcase2023);
    const EvaluatorInput input = read_evaluator_input(scores_, truth_);
    ASSERT_TRUE(input.unavailable.empty()) << input.unavailable[0].reason;
    ASSERT_EQ(input.clips.size(), 3u);
    EXPECT_EQ(input.clips[0].score, 0.3);  // section_00_0000.wav
    EXPECT_EQ(input.clips[0].domain, Domain::source);
    EXPECT_EQ(input.clips[1].score, 0.8);
    EXPECT_EQ(input.clips[1].label, 1);
    EXPECT_EQ(input.clips[2].domain, Domain::target);
    EXPECT_EQ(input.clips[2].decision, 1);
}

TEST_F(EvaluatorInputTest, Missing2023DomainFileMakesSectionUnavailable) {
    write(truth_ / "ground_truth_data" / "ground_truth_fan_section_00_test.csv", "a.wav,1\n");
    write(truth_ / "ground_truth_data" / "ground_truth_fan_section_01_test.csv", "a.wav,1\n");
    write(truth_ / "ground_truth_domain" / "ground_truth_fan_section_00_test.csv", "a.wav,0\n");
    write(scores_ / "anomaly_score_fan_section_00_test.csv", "a.wav,1\n");
    write(scores_ / "decision_result_fan_section_00_test.csv", "a.wav,1\n");
    write(scores_ / "anomaly_score_fan_section_01_test.csv", "a.wav,1\n");
    write(scores_ / "decision_result_fan_section_01_test.csv", "a.wav,1\n");
    const EvaluatorInput input = read_evaluator_input(scores_, truth_);
    const UnavailablePart& part = only_problem(input);
    EXPECT_EQ(part.section, "01");
    EXPECT_FALSE(part.domain.has_value());
    EXPECT_NE(part.reason.find("domain file"), std::string::npos) << part.reason;
    EXPECT_EQ(input.clips.size(), 1u);
}

}  // namespace
}  // namespace uadscope::analysis
