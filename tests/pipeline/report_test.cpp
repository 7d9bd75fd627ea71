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
    write_file_atomic(work / "metrics" / "log_mel_s5_device-fan.json",
                      R"({"sep": [{"section": "00", "balanced_accuracy": 0.75, "auc": null}]})");
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
    EXPECT_NE(html.find("balanced_accuracy"), std::string::npos);
    EXPECT_NE(html.find(">undefined<"), std::string::npos);
    EXPECT_EQ(html.find("other_map_global"), std::string::npos);
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
