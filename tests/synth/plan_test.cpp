#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "common/paths.h"
#include "synth/plan.h"

namespace uadscope::synth {
namespace {

// The DCASE 2021 development-set naming, written from the published layout independently of
// the dataset module: folder, then section, domain, split, label, four-digit index and an
// optional attribute token.
const std::regex dcase2021_pattern(
    "([A-Za-z]+)/(train|source_test|target_test)/"
    "section_([0-9]{2})_(source|target)_(train|test)_(normal|anomaly)_([0-9]{4})(_[^/]+)?\\.wav");

TEST(SectionCounts, DefaultMatchesDocumentation) {
    const SectionCounts counts = section_counts(10);
    EXPECT_EQ(counts.source_train, 10);
    EXPECT_EQ(counts.target_train, 3);
    EXPECT_EQ(counts.test_per_label, 5);
    EXPECT_EQ(counts.files(), 33);
}

TEST(SectionCounts, SmallestDatasetHasEveryGroup) {
    const SectionCounts counts = section_counts(1);
    EXPECT_EQ(counts.source_train, 1);
    EXPECT_EQ(counts.target_train, 1);
    EXPECT_EQ(counts.test_per_label, 1);
}

TEST(SectionCounts, LargestDataset) {
    const SectionCounts counts = section_counts(1000);
    EXPECT_EQ(counts.target_train, 300);
    EXPECT_EQ(counts.test_per_label, 500);
}

TEST(PlanDataset, CountsPerFolder) {
    const auto files = plan_dataset(kAllMachines, section_counts(10));
    ASSERT_EQ(files.size(), 3u * 3u * 33u);
    std::map<std::string, int> per_folder;
    for (const auto& file : files) {
        per_folder[file.relative_path.substr(0, file.relative_path.rfind('/'))]++;
    }
    for (const char* machine : {"fan", "pump", "valve"}) {
        const std::string name = machine;
        // train: (10 source + 3 target) per section; each test folder: 5 + 5 per section.
        EXPECT_EQ(per_folder[name + "/train"], 39) << name;
        EXPECT_EQ(per_folder[name + "/source_test"], 30) << name;
        EXPECT_EQ(per_folder[name + "/target_test"], 30) << name;
    }
    EXPECT_EQ(per_folder.size(), 9u);
}

TEST(PlanDataset, NamesParseAsDcase2021) {
    const auto files = plan_dataset(kAllMachines, section_counts(10));
    std::set<std::string> unique;
    for (const auto& file : files) {
        std::smatch match;
        ASSERT_TRUE(std::regex_match(file.relative_path, match, dcase2021_pattern))
            << file.relative_path;
        EXPECT_TRUE(is_synth_path(file.relative_path)) << file.relative_path;
        EXPECT_EQ(match[1].str(), to_string(file.spec.machine));
        const std::string folder = match[2].str();
        EXPECT_EQ(std::stoi(match[3].str()), file.spec.section);
        EXPECT_EQ(match[4].str(), to_string(file.spec.domain));
        EXPECT_EQ(match[5].str(), file.train ? "train" : "test");
        EXPECT_EQ(match[6].str(), file.anomaly_label ? "anomaly" : "normal");
        EXPECT_EQ(std::stoi(match[7].str()), file.index);
        // The folder agrees with the name: train contains both domains' training clips, and
        // each test folder contains only its own domain's test clips.
        if (file.train) {
            EXPECT_EQ(folder, "train");
            EXPECT_FALSE(file.anomaly_label) << file.relative_path;
        } else {
            EXPECT_EQ(folder, std::string(to_string(file.spec.domain)) + "_test");
        }
        EXPECT_EQ(file.anomaly_label, file.spec.anomaly != Anomaly::none);
        unique.insert(file.relative_path);
    }
    EXPECT_EQ(unique.size(), files.size());
}

TEST(PlanDataset, PatternMatchesRealDcase2021Files) {
    // The test's own pattern must accept real DCASE 2021 files, or it checks nothing.
    UADSCOPE_REQUIRE_SHARED(shared);
    const std::filesystem::path root = shared / "data" / "dcase2021";
    int checked = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.path().extension() != ".wav") {
            continue;
        }
        const std::string relative = std::filesystem::relative(entry.path(), root).string();
        EXPECT_TRUE(std::regex_match(relative, dcase2021_pattern)) << relative;
        ++checked;
    }
    EXPECT_GT(checked, 0) << "no WAV files under " << root;
}

TEST(PlanDataset, FirstFileName) {
    const auto files = plan_dataset(std::vector<Machine>{Machine::fan}, section_counts(1));
    EXPECT_EQ(files.front().relative_path,
              "fan/train/section_00_source_train_normal_0000_F0Bld5Rps25.wav");
    // The packed attribute style of DCASE 2021 ("..._0000_A1Spd28VMic1.wav").
    EXPECT_TRUE(is_synth_path("fan/train/section_00_source_train_normal_0000_A1Spd28VMic1.wav"));
}

TEST(PlanDataset, AttributesNameOperatingCondition) {
    EXPECT_EQ(attribute_token(Machine::fan, 0, Domain::source), "F0Bld5Rps25");
    EXPECT_EQ(attribute_token(Machine::fan, 0, Domain::target), "F0Bld5Rps30");
    EXPECT_EQ(attribute_token(Machine::pump, 2, Domain::source), "P2Pis9Rps20Ld1");
    EXPECT_EQ(attribute_token(Machine::pump, 2, Domain::target), "P2Pis9Rps19Ld2");
    EXPECT_EQ(attribute_token(Machine::valve, 1, Domain::target), "V1Vlv1Bg2");
}

TEST(PlanDataset, AnomalyKindsCycleInEachDomain) {
    const auto files = plan_dataset(std::vector<Machine>{Machine::pump}, section_counts(10));
    std::map<std::pair<int, Domain>, std::set<Anomaly>> kinds;
    for (const auto& file : files) {
        if (file.anomaly_label) {
            kinds[{file.spec.section, file.spec.domain}].insert(file.spec.anomaly);
        }
    }
    ASSERT_EQ(kinds.size(), 6u);
    for (const auto& [group, seen] : kinds) {
        EXPECT_EQ(seen.size(), anomaly_kinds(Machine::pump).size());
    }
}

TEST(PlanDataset, StreamsUniqueAndStableAcrossSelections) {
    const auto all = plan_dataset(kAllMachines, section_counts(4));
    std::set<std::uint64_t> streams;
    std::map<std::string, std::uint64_t> by_path;
    for (const auto& file : all) {
        streams.insert(file.stream);
        by_path[file.relative_path] = file.stream;
    }
    EXPECT_EQ(streams.size(), all.size());
    // A file's stream does not depend on which other machines or how many clips are planned.
    for (const auto& file : plan_dataset(std::vector<Machine>{Machine::valve}, section_counts(2))) {
        ASSERT_TRUE(by_path.contains(file.relative_path)) << file.relative_path;
        EXPECT_EQ(by_path[file.relative_path], file.stream) << file.relative_path;
    }
}

TEST(IsSynthPath, RejectsOtherPaths) {
    EXPECT_FALSE(is_synth_path("../fan/train/section_00_source_train_normal_0000_F0Bld5Rps25.wav"));
    EXPECT_FALSE(is_synth_path("/etc/passwd"));
    EXPECT_FALSE(is_synth_path("fan/train/notes.txt"));
    EXPECT_FALSE(is_synth_path("fan/test/section_00_source_test_normal_0000_F0Bld5Rps25.wav"));
    EXPECT_FALSE(is_synth_path("fan/train/section_00_source_train_normal_0000_x/../../y.wav"));
}

}  // namespace
}  // namespace uadscope::synth
