#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/paths.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "pipeline/report.h"
#include "store/map_file.h"

namespace uadscope::pipeline {
namespace {

namespace fs = std::filesystem;

// A metrics document as `uadscope score` writes it, cut to one section.
constexpr const char* metrics_document = R"({
 "map": "log_mel_s5_device-fan", "rep": "log_mel", "stack": 5, "scope": "device-fan",
 "fit": "joint", "seed": 3, "max_train": 10000, "max_test": 20000, "points": 2,
 "sample_sizes": {"fan/00/source/train/normal": 1, "fan/00/source/test/anomaly": 1},
 "settings": {"svm_loss": "l2", "svm_c": 1.0, "cv_folds": 5,
              "sep_max_vectors_per_class": 5000, "dsup_k": 5, "coverage_quantile": 0.95,
              "seed": 11},
 "sep": [
  {"device": "fan", "section": "00", "domain": "source", "space": "original",
   "balanced_accuracy": 0.8125, "hinge_slack": 0.4375, "train_hinge_slack": 0.0625,
   "normal_files": 4, "anomaly_files": 3,
   "normal_vectors": 40, "anomaly_vectors": 30, "folds": 5, "undefined_reason": null},
  {"device": "fan", "section": "00", "domain": "source", "space": "map",
   "balanced_accuracy": 0.5625, "hinge_slack": 0.9375, "train_hinge_slack": 0.8125,
   "normal_files": 4, "anomaly_files": 3,
   "normal_vectors": 40, "anomaly_vectors": 30, "folds": 5, "undefined_reason": null},
  {"device": "fan", "section": "00", "domain": "target", "space": "original",
   "balanced_accuracy": null, "hinge_slack": null, "normal_files": 3, "anomaly_files": 1,
   "undefined_reason": "1 anomalous file: SEP needs at least 2 files of each class"}],
 "dsup": [
  {"device": "fan", "section": "00", "domain": "source", "space": "original", "auc": 0.9688,
   "coverage": 0.9062, "train_files": 9, "train_vectors": 90, "normal_files": 4,
   "anomaly_files": 3, "normal_vectors": 40, "anomaly_vectors": 30},
  {"device": "fan", "section": "00", "domain": "source", "space": "map", "auc": 0.7188,
   "coverage": 0.6562, "train_files": 9, "train_vectors": 90, "normal_files": 4,
   "anomaly_files": 3, "normal_vectors": 40, "anomaly_vectors": 30}],
 "detectors": [
  {"scores": "knn_log_mel_s5_map-device-fan", "detector": "knn", "k": 5, "aggregate": "mean",
   "per_domain": false, "space": "map", "device": "fan", "section": "00", "domain": "source",
   "auc": 0.8438, "pauc": 0.6094, "precision": 0.5, "recall": 0.25, "f1": 0.3359,
   "normal_files": 4, "anomaly_files": 3}],
 "official_scores": [
  {"scores": "knn_log_mel_s5_map-device-fan", "detector": "knn", "k": 5, "aggregate": "mean",
   "per_domain": false, "space": "map", "edition": "2023", "official_score": 0.7109,
   "official_score_ci95": null}],
 "duplicates": [
  {"scores": "knn_log_mel_s5_map-device-fan", "device": "fan", "section": "00",
   "reference": "all", "k_used": 5, "train_vectors": 90, "zero_k_distance": 12}]
})";

// The text of the first table row of `html` that contains `needle`, or "" when none does.
std::string row_with(const std::string& html, const std::string& needle) {
    const std::size_t at = html.find(needle);
    if (at == std::string::npos) {
        return "";
    }
    const std::size_t start = html.rfind("<tr>", at);
    const std::size_t end = html.find("</tr>", at);
    if (start == std::string::npos || end == std::string::npos) {
        return "";
    }
    return html.substr(start, end - start);
}

fs::path small_workspace(const std::string& name) {
    const fs::path work = testing::fresh_temp_dir(name);
    write_file_atomic(work / "manifest.csv",
                      "file_id,device,section,domain,split,label\n"
                      "0,fan,00,source,train,normal\n"
                      "1,fan,00,source,test,anomaly\n"
                      "2,valve,01,target,test,normal\n");
    store::MapData map;
    map.points = 2;
    map.embedding = {0, 0, 1, 1};
    map.file_id = {0, 1};
    map.frame = {0, 0};
    map.fitted = {1, 1};
    map.text["rep"] = "log_mel";
    map.numbers["trustworthiness"] = 0.9812;
    store::write_map(work / "maps" / "log_mel_s5_device-fan.h5", map);
    fs::create_directories(work / "plots");
    std::ofstream(work / "plots" / "log_mel_s5_device-fan_device.png") << "png";
    std::ofstream(work / "plots" / "log_mel_s5_device-fan_device.svg") << "svg";
    std::ofstream(work / "plots" / "other_map_global.png") << "png";
    write_file_atomic(work / "metrics" / "log_mel_s5_device-fan.json", metrics_document);
    return work;
}

TEST(Report, ListsMapsPlotsAndMetrics) {
    const fs::path work = small_workspace("report");
    const ReportResult result = write_report(work);
    EXPECT_TRUE(result.written);
    EXPECT_EQ(result.maps, 1);
    EXPECT_EQ(result.plots, 1);
    EXPECT_EQ(result.metric_files, 1);
    const std::string html = read_file(work / "report.html");
    EXPECT_NE(html.find("3 files"), std::string::npos);
    EXPECT_NE(html.find("log_mel_s5_device-fan"), std::string::npos);
    EXPECT_NE(html.find("plots/log_mel_s5_device-fan_device.png"), std::string::npos);
    EXPECT_NE(html.find("plots/log_mel_s5_device-fan_device.svg"), std::string::npos);
    EXPECT_NE(html.find("0.9812"), std::string::npos);
    EXPECT_NE(html.find(">undefined<"), std::string::npos);
    EXPECT_EQ(html.find("other_map_global"), std::string::npos);
}

TEST(Report, MetricsBecomeTables) {
    const fs::path work = small_workspace("report-metrics");
    fs::create_directories(work / "scores" / "knn_log_mel_s5_map-device-fan");
    write_file_atomic(work / "scores" / "knn_log_mel_s5_map-device-fan" / "result.csv",
                      "fan\nsection,AUC (all)\n00,0.84375\n");
    write_report(work);
    const std::string html = read_file(work / "report.html");

    // No JSON key or dump: the metrics are tables with readable headers.
    EXPECT_EQ(html.find("balanced_accuracy"), std::string::npos);
    EXPECT_EQ(html.find("undefined_reason"), std::string::npos);
    EXPECT_NE(html.find("SEP: separability"), std::string::npos);
    EXPECT_NE(html.find("DSUP: discriminative support"), std::string::npos);
    EXPECT_NE(html.find("mean hinge slack"), std::string::npos);

    // Original and map side by side in one row per device, section and domain.
    const std::string sep_row = row_with(html, "0.8125");
    EXPECT_NE(sep_row.find("0.5625"), std::string::npos) << sep_row;
    EXPECT_NE(sep_row.find("0.4375"), std::string::npos) << sep_row;
    EXPECT_NE(sep_row.find("0.9375"), std::string::npos) << sep_row;
    EXPECT_NE(sep_row.find("0.0625"), std::string::npos) << sep_row;
    EXPECT_NE(sep_row.find("<td>source</td>"), std::string::npos) << sep_row;
    EXPECT_NE(sep_row.find("4 / 3"), std::string::npos) << sep_row;
    const std::string dsup_row = row_with(html, "0.9688");
    EXPECT_NE(dsup_row.find("0.7188"), std::string::npos) << dsup_row;
    EXPECT_NE(dsup_row.find("0.9062"), std::string::npos) << dsup_row;
    EXPECT_NE(dsup_row.find("0.6562"), std::string::npos) << dsup_row;

    // An undefined value shows its reason, never a number.
    const std::string target_row = row_with(html, "<td>target</td>");
    EXPECT_NE(target_row.find("undefined"), std::string::npos) << target_row;
    EXPECT_NE(target_row.find("SEP needs at least 2 files of each class"), std::string::npos);

    // The detector's DCASE table and official score.
    const std::string detector_row = row_with(html, "0.8438");
    EXPECT_NE(detector_row.find("0.6094"), std::string::npos) << detector_row;
    EXPECT_NE(detector_row.find("0.3359"), std::string::npos) << detector_row;
    EXPECT_NE(html.find("official score 0.7109"), std::string::npos);
    EXPECT_NE(html.find("kNN distance (k = 5, mean per file) on the map"), std::string::npos);
    EXPECT_NE(html.find("12 of 90 training vectors have k-distance 0"), std::string::npos);

    // Every caption states representation, stack, scope, sample sizes and seeds.
    std::size_t captions = 0;
    for (std::size_t at = html.find("<caption>"); at != std::string::npos;
         at = html.find("<caption>", at + 1)) {
        const std::string text = html.substr(at, html.find("</caption>", at) - at);
        EXPECT_NE(text.find("representation log_mel, stack 5, scope device-fan"), std::string::npos)
            << text;
        EXPECT_NE(text.find("seed 3"), std::string::npos) << text;
        EXPECT_NE(text.find("SEP and DSUP seed 11"), std::string::npos) << text;
        EXPECT_NE(text.find("fan/00/source/train/normal 1"), std::string::npos) << text;
        ++captions;
    }
    EXPECT_EQ(captions, 3u);

    // The scores folder's result table is captioned with its detector and map.
    const std::size_t result_heading = html.find("scores/knn_log_mel_s5_map-device-fan/result.csv");
    ASSERT_NE(result_heading, std::string::npos);
    const std::string after = html.substr(result_heading, 600);
    EXPECT_NE(after.find("map log_mel_s5_device-fan"), std::string::npos) << after;
    EXPECT_NE(after.find("title=\"0.84375\">0.8438</td>"), std::string::npos) << after;
    EXPECT_NE(after.find("<td>00</td>"), std::string::npos) << after;
}

TEST(Report, SecondRunWritesNothing) {
    const fs::path work = small_workspace("report-again");
    write_report(work);
    const auto first_time = fs::last_write_time(work / "report.html");
    EXPECT_FALSE(write_report(work).written);
    EXPECT_EQ(fs::last_write_time(work / "report.html"), first_time);
}

TEST(Report, EscapesHtmlInNames) {
    const fs::path work = small_workspace("report-escape");
    write_file_atomic(
        work / "manifest.csv",
        "file_id,device,section,domain,split,label\n0,<b>fan,00,source,train,normal\n");
    write_report(work);
    const std::string html = read_file(work / "report.html");
    EXPECT_EQ(html.find("<b>fan"), std::string::npos);
    EXPECT_NE(html.find("&lt;b&gt;fan"), std::string::npos);
}

TEST(Report, MissingManifestIsAnError) {
    const fs::path work = testing::fresh_temp_dir("report-empty");
    EXPECT_THROW(write_report(work), Error);
}

}  // namespace
}  // namespace uadscope::pipeline
