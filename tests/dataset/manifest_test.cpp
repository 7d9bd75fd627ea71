#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "common/paths.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "dataset/csv.h"
#include "dataset/manifest.h"
#include "dataset/scan.h"
#include "dataset/summary.h"

namespace uadscope::dataset {
namespace {

namespace fs = std::filesystem;

void touch(const fs::path& path) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << "x";
}

TEST(Csv, QuotesOnlyWhenNeeded) {
    std::string text;
    append_csv_row(text, {"plain", "a,b", "say \"hi\"", "two\nlines", ""});
    EXPECT_EQ(text, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\n");
    const auto rows = parse_csv(text, "memory");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0], (CsvRow{"plain", "a,b", "say \"hi\"", "two\nlines", ""}));
}

TEST(Csv, AcceptsCrLfAndMissingFinalNewline) {
    const auto rows = parse_csv("a,b\r\n\r\n1,2", "memory");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0], (CsvRow{"a", "b"}));
    EXPECT_EQ(rows[1], (CsvRow{"1", "2"}));
}

TEST(Csv, RejectsBrokenQuotes) {
    EXPECT_THROW(parse_csv("a,\"open\n", "memory"), Error);
    EXPECT_THROW(parse_csv("a,\"x\"y\n", "memory"), Error);
}

FileRecord sample_record(std::int64_t file_id) {
    FileRecord record;
    record.file_id = file_id;
    record.path =
        "/data/with, comma/\"quoted\"/fan/test/section_00_source_test_normal_0001_a_b.wav";
    record.relative_path = "fan/test/section_00_source_test_normal_0001_a_b.wav";
    record.dataset = "dev";
    record.name.scheme = "dcase2022";
    record.name.device = "fan";
    record.name.section = 0;
    record.name.domain = Domain::source;
    record.name.split = Split::test;
    record.name.label = Label::normal;
    record.name.index = 1;
    record.name.attributes = {{"a", "b"}, {"vel", "0.11"}};
    record.sample_rate = 16000;
    record.channels = 1;
    record.frames = 160000;
    record.format = "WAV PCM 16-bit";
    record.file_stamp = "0123456789abcdef";
    return record;
}

TEST(Manifest, WriteReadRoundTrip) {
    const fs::path folder = testing::fresh_temp_dir("manifest-roundtrip");
    std::vector<FileRecord> records{sample_record(0), sample_record(1)};
    records[1].name.section = -1;
    records[1].name.index = -1;
    records[1].name.domain = Domain::unknown;
    records[1].name.label = Label::unknown;
    records[1].name.attributes.clear();
    records[1].external = true;
    records[1].status = "unreadable: not a WAV file";
    records[1].sample_rate = 0;
    records[1].channels = 0;
    records[1].frames = 0;
    records[1].format.clear();

    const fs::path path = manifest_path(folder);
    write_manifest(path, records);
    const Manifest manifest = read_manifest(path);
    ASSERT_EQ(manifest.size(), 2u);
    for (std::size_t i = 0; i < records.size(); ++i) {
        const FileRecord& expected = records[i];
        const FileRecord& actual = manifest.records[i];
        EXPECT_EQ(actual.file_id, expected.file_id);
        EXPECT_EQ(actual.path, expected.path);
        EXPECT_EQ(actual.relative_path, expected.relative_path);
        EXPECT_EQ(actual.dataset, expected.dataset);
        EXPECT_EQ(actual.external, expected.external);
        EXPECT_EQ(actual.name.scheme, expected.name.scheme);
        EXPECT_EQ(actual.name.device, expected.name.device);
        EXPECT_EQ(actual.name.section, expected.name.section);
        EXPECT_EQ(actual.name.domain, expected.name.domain);
        EXPECT_EQ(actual.name.split, expected.name.split);
        EXPECT_EQ(actual.name.label, expected.name.label);
        EXPECT_EQ(actual.name.index, expected.name.index);
        EXPECT_EQ(actual.name.attributes, expected.name.attributes);
        EXPECT_EQ(actual.sample_rate, expected.sample_rate);
        EXPECT_EQ(actual.channels, expected.channels);
        EXPECT_EQ(actual.frames, expected.frames);
        EXPECT_EQ(actual.format, expected.format);
        EXPECT_EQ(actual.status, expected.status);
        EXPECT_EQ(actual.file_stamp, expected.file_stamp);
    }
    EXPECT_EQ(manifest.fingerprint, manifest_fingerprint(read_file(path)));

    // The header is the documented column list, and an unreadable file has empty audio fields.
    const auto rows = parse_csv(read_file(path), path);
    EXPECT_EQ(rows[0], manifest_columns());
    EXPECT_EQ(rows[2][13], "");
    EXPECT_EQ(rows[1][6], "00");
    fs::remove_all(folder);
}

TEST(Manifest, FingerprintChangesWithAnyRow) {
    std::vector<FileRecord> records{sample_record(0)};
    const std::string before = manifest_fingerprint(format_manifest(records));
    records[0].name.label = Label::anomaly;
    EXPECT_NE(manifest_fingerprint(format_manifest(records)), before);
}

TEST(Manifest, ReaderRejectsBadFiles) {
    const fs::path folder = testing::fresh_temp_dir("manifest-errors");
    EXPECT_THROW(read_manifest(folder / "missing.csv"), Error);

    const std::string good = format_manifest({sample_record(0)});
    auto expect_error = [&](const std::string& text, const std::string& message_part) {
        const fs::path path = folder / "manifest.csv";
        write_file_atomic(path, text);
        try {
            read_manifest(path);
            ADD_FAILURE() << "no error for: " << text;
        } catch (const Error& error) {
            EXPECT_NE(std::string(error.what()).find(message_part), std::string::npos)
                << error.what();
        }
    };
    expect_error("", "empty");
    expect_error("file_id,path\n0,/x.wav\n", "no column 'relative_path'");

    std::string wrong_id = good;
    wrong_id.replace(wrong_id.find("\n0,") + 1, 1, "5");
    expect_error(wrong_id, "column file_id");

    std::string wrong_domain = good;
    wrong_domain.replace(wrong_domain.find(",source,"), 8, ",sauce,");
    expect_error(wrong_domain, "column domain");
    fs::remove_all(folder);
}

TEST(Scan, ListsSortsAndSkips) {
    const fs::path root = testing::fresh_temp_dir("scan");
    touch(root / "dev/fan/train/section_00_source_train_normal_0001_noAttribute.wav");
    touch(root / "dev/fan/train/section_00_source_train_normal_0000_noAttribute.WAV");
    touch(root / "dev/fan/test/section_00_0003.flac");
    touch(root / "dev/fan/test/._section_00_0003.wav");
    touch(root / "dev/fan/test/notes.txt");
    touch(root / "dev/.cache/fan/train/section_00_source_train_normal_0009_noAttribute.wav");
    touch(root / "dev/fan/section_99_backup/section_00_source_train_normal_0002_noAttribute.wav");
    touch(root / "dev/misc/recording.ogg");
    touch(root / "extra/clip.wav");

    const std::vector roots{parse_dataset_root((root / "extra").string() + "/", false),
                            parse_dataset_root("mydev=" + (root / "dev").string(), false)};
    EXPECT_EQ(roots[0].name, "extra");
    const ScanResult result = scan_datasets(roots, detected_schemes());

    ASSERT_EQ(result.records.size(), 3u);
    EXPECT_EQ(result.records[0].relative_path, "fan/test/section_00_0003.flac");
    EXPECT_EQ(result.records[1].relative_path,
              "fan/train/section_00_source_train_normal_0000_noAttribute.WAV");
    EXPECT_EQ(result.records[2].relative_path,
              "fan/train/section_00_source_train_normal_0001_noAttribute.wav");
    for (std::size_t i = 0; i < result.records.size(); ++i) {
        EXPECT_EQ(result.records[i].file_id, static_cast<std::int64_t>(i));
        EXPECT_EQ(result.records[i].dataset, "mydev");
        EXPECT_TRUE(fs::path(result.records[i].path).is_absolute());
    }

    // The hidden resource fork, the backup folder, the unknown .ogg and the unknown clip are
    // listed. The hidden folder is not entered, and notes.txt is not audio.
    ASSERT_EQ(result.skipped.size(), 4u);
    std::map<std::string, std::string> reasons;
    for (const auto& file : result.skipped) {
        reasons[fs::path(file.path).filename().string()] = file.reason;
    }
    EXPECT_NE(reasons["._section_00_0003.wav"].find("hidden"), std::string::npos);
    EXPECT_NE(reasons["recording.ogg"].find("no naming scheme"), std::string::npos);
    EXPECT_NE(reasons["clip.wav"].find("no naming scheme"), std::string::npos);
    EXPECT_NE(
        reasons["section_00_source_train_normal_0002_noAttribute.wav"].find("section_99_backup"),
        std::string::npos);

    const std::string summary = format_index_summary(result.records, result.skipped);
    EXPECT_NE(summary.find("indexed 3 audio files, skipped 4"), std::string::npos) << summary;
    fs::remove_all(root);
}

TEST(Scan, ExternalRootWinsForSharedFiles) {
    const fs::path root = testing::fresh_temp_dir("scan-external");
    touch(root / "dev/fan/train/section_00_source_train_normal_0001_noAttribute.wav");
    touch(root / "dev/noise/rain.wav");
    const std::vector roots{parse_dataset_root((root / "dev").string(), false),
                            parse_dataset_root("noise=" + (root / "dev/noise").string(), true)};
    const ScanResult result = scan_datasets(roots, detected_schemes());
    ASSERT_EQ(result.records.size(), 2u);
    EXPECT_TRUE(result.skipped.empty());
    EXPECT_EQ(result.records[0].dataset, "dev");
    EXPECT_EQ(result.records[1].dataset, "noise");
    EXPECT_TRUE(result.records[1].external);
    EXPECT_EQ(result.records[1].name.scheme, "external");
    EXPECT_EQ(result.records[1].relative_path, "rain.wav");
    fs::remove_all(root);
}

TEST(Scan, FollowsFolderLinksOnce) {
    const fs::path root = testing::fresh_temp_dir("scan-links");
    touch(root / "dev/fan/train/section_00_source_train_normal_0000_noAttribute.wav");
    touch(root / "elsewhere/pump/train/section_00_source_train_normal_0001_noAttribute.wav");
    fs::create_directory_symlink(root / "elsewhere/pump", root / "dev/pump");
    fs::create_directory_symlink(root / "dev/fan", root / "dev/fan/train/loop");
    fs::create_directories(root /
                           "dev/fan/test/section_00_source_test_normal_0005_noAttribute.wav");

    const std::vector roots{parse_dataset_root((root / "dev").string(), false)};
    const ScanResult result = scan_datasets(roots, detected_schemes());
    ASSERT_EQ(result.records.size(), 2u);
    EXPECT_EQ(result.records[0].relative_path,
              "fan/train/section_00_source_train_normal_0000_noAttribute.wav");
    EXPECT_EQ(result.records[1].relative_path,
              "pump/train/section_00_source_train_normal_0001_noAttribute.wav");
    ASSERT_EQ(result.skipped.size(), 1u);
    EXPECT_EQ(fs::path(result.skipped[0].path).filename(),
              "section_00_source_test_normal_0005_noAttribute.wav");
    EXPECT_NE(result.skipped[0].reason.find("a folder, not a file"), std::string::npos)
        << result.skipped[0].reason;
    EXPECT_TRUE(result.unreadable_folders.empty());
    fs::remove_all(root);
}

TEST(Scan, ReportsUnreadableFolders) {
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root reads folders without read permission";
    }
    const fs::path root = testing::fresh_temp_dir("scan-unreadable");
    touch(root / "dev/fan/train/section_00_source_train_normal_0000_noAttribute.wav");
    touch(root / "dev/locked/train/section_00_source_train_normal_0001_noAttribute.wav");
    touch(root / "closed/fan/train/section_00_source_train_normal_0002_noAttribute.wav");
    fs::permissions(root / "dev/locked", fs::perms::none);
    fs::permissions(root / "closed", fs::perms::none);

    const std::vector roots{parse_dataset_root((root / "dev").string(), false)};
    const ScanResult result = scan_datasets(roots, detected_schemes());
    EXPECT_EQ(result.records.size(), 1u);
    ASSERT_EQ(result.skipped.size(), 1u);
    EXPECT_EQ(result.skipped[0].path, (root / "dev/locked").string());
    EXPECT_NE(result.skipped[0].reason.find("permission denied"), std::string::npos)
        << result.skipped[0].reason;
    ASSERT_EQ(result.unreadable_folders.size(), 1u);
    const std::string summary = format_index_summary(result.records, result.skipped);
    EXPECT_NE(summary.find("permission denied"), std::string::npos) << summary;

    const std::vector closed{parse_dataset_root((root / "closed").string(), false)};
    const ScanResult nothing = scan_datasets(closed, detected_schemes());
    EXPECT_TRUE(nothing.records.empty());
    ASSERT_EQ(nothing.unreadable_folders.size(), 1u);
    EXPECT_EQ(nothing.unreadable_folders[0].path, (root / "closed").string());

    fs::permissions(root / "dev/locked", fs::perms::owner_all);
    fs::permissions(root / "closed", fs::perms::owner_all);
    fs::remove_all(root);
}

TEST(Scan, RejectsBadRoots) {
    EXPECT_THROW(parse_dataset_root("/no/such/folder", false), UsageError);
    EXPECT_THROW(parse_dataset_root("/tmp", true), UsageError);  // external needs NAME=DIR
    EXPECT_THROW(parse_dataset_root("=/tmp", false), UsageError);
    const std::vector roots{parse_dataset_root("a=/tmp", false), parse_dataset_root("a=/", false)};
    EXPECT_THROW(scan_datasets(roots, detected_schemes()), UsageError);
}

// The shared recordings contain 195 audio files: dcase2020 (58), dcase2021 (1), dcase2023
// (126, of which valve/test contains 100, 25 per domain and label), mimii (6) and odd (4,
// which no scheme names).
TEST(ScanRealData, CountsPerFolder) {
    UADSCOPE_REQUIRE_SHARED(shared);
    const fs::path data = shared / "data";
    const ScanResult result =
        scan_datasets({parse_dataset_root(data.string(), false)}, detected_schemes());
    EXPECT_EQ(result.records.size() + result.skipped.size(), 195u);
    EXPECT_EQ(result.records.size(), 191u);
    ASSERT_EQ(result.skipped.size(), 4u);
    for (const auto& file : result.skipped) {
        EXPECT_NE(file.path.find("/odd/"), std::string::npos) << file.path;
    }

    std::map<std::string, int> per_folder;
    std::map<std::string, int> schemes;
    int valve_test_2023[2][2] = {};  // [domain][label]
    for (const FileRecord& record : result.records) {
        ++per_folder[record.relative_path.substr(0, record.relative_path.find('/'))];
        ++schemes[record.name.scheme];
        if (record.relative_path.starts_with("dcase2023/valve/test/")) {
            ASSERT_NE(record.name.domain, Domain::unknown);
            ASSERT_NE(record.name.label, Label::unknown);
            ++valve_test_2023[static_cast<int>(record.name.domain)]
                             [static_cast<int>(record.name.label)];
        }
    }
    // dcase2023: 7 machine types with 2 train and 2 test files each, valve/test 100.
    std::map<std::string, int> per_split_folder;
    int mimii_anomalies = 0;
    for (const FileRecord& record : result.records) {
        const auto folder = fs::path(record.relative_path).parent_path().generic_string();
        ++per_split_folder[folder];
        if (record.name.scheme == "mimii" && record.name.label == Label::anomaly) {
            ++mimii_anomalies;
        }
    }
    for (const char* machine : {"ToyCar", "ToyTrain", "bearing", "fan", "gearbox", "slider"}) {
        EXPECT_EQ(per_split_folder[std::string("dcase2023/") + machine + "/train"], 2) << machine;
        EXPECT_EQ(per_split_folder[std::string("dcase2023/") + machine + "/test"], 2) << machine;
    }
    EXPECT_EQ(per_split_folder["dcase2023/valve/train"], 2);
    EXPECT_EQ(per_split_folder["dcase2023/valve/test"], 100);
    EXPECT_EQ(per_split_folder["dcase2020/slider/train"], 10);
    EXPECT_EQ(mimii_anomalies, 2);
    EXPECT_EQ(per_folder["dcase2020"], 58);
    EXPECT_EQ(per_folder["dcase2021"], 1);
    EXPECT_EQ(per_folder["dcase2023"], 126);
    EXPECT_EQ(per_folder["mimii"], 6);
    EXPECT_EQ(schemes["dcase2020"], 58);
    EXPECT_EQ(schemes["dcase2021"], 1);
    EXPECT_EQ(schemes["dcase2022"], 126);
    EXPECT_EQ(schemes["mimii"], 6);
    for (const auto& row : valve_test_2023) {
        for (const int count : row) {
            EXPECT_EQ(count, 25);
        }
    }

    // With odd/ given as external data, every file is indexed.
    const ScanResult with_external =
        scan_datasets({parse_dataset_root(data.string(), false),
                       parse_dataset_root("odd=" + (data / "odd").string(), true)},
                      detected_schemes());
    EXPECT_EQ(with_external.records.size(), 195u);
    EXPECT_TRUE(with_external.skipped.empty());
    int external = 0;
    for (const FileRecord& record : with_external.records) {
        if (record.external) {
            ++external;
            EXPECT_EQ(record.dataset, "odd");
            EXPECT_EQ(record.name.label, Label::unknown);
        }
    }
    EXPECT_EQ(external, 4);
}

}  // namespace
}  // namespace uadscope::dataset
