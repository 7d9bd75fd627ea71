#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/paths.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "dataset/manifest.h"
#include "image_reader.h"
#include "plot/workspace_plots.h"
#include "store/h5.h"
#include "store/map_file.h"

namespace uadscope::plot {
namespace {

namespace fs = std::filesystem;
using dataset::Domain;
using dataset::Label;
using dataset::Split;

constexpr int frames_per_file = 12;

dataset::FileRecord record(std::int64_t id, const std::string& device, int section, Split split,
                           Label label, bool external = false) {
    dataset::FileRecord file;
    file.file_id = id;
    file.relative_path = device + "/file_" + std::to_string(id) + ".wav";
    file.path = "/data/" + file.relative_path;
    file.dataset = external ? "audioset" : "dev";
    file.external = external;
    file.name.scheme = external ? "external" : "dcase2021";
    file.name.device = external ? "" : device;
    file.name.section = external ? -1 : section;
    file.name.domain = external ? Domain::unknown : Domain::source;
    file.name.split = split;
    file.name.label = label;
    file.sample_rate = 16000;
    file.channels = 1;
    file.frames = 16000;
    file.file_stamp = "stamp";
    return file;
}

// A workspace with 8 manifest files (fan sections 0 and 1, pump section 0, one external),
// log_mel features with energy = frame index + 1, a device map of fan and a global map.
struct Workspace {
    fs::path root;
    dataset::Manifest manifest;

    explicit Workspace(const std::string& name) : root(uadscope::testing::fresh_temp_dir(name)) {
        std::vector<dataset::FileRecord> records = {
            record(0, "fan", 0, Split::train, Label::normal),
            record(1, "fan", 0, Split::test, Label::normal),
            record(2, "fan", 0, Split::test, Label::anomaly),
            record(3, "fan", 1, Split::train, Label::normal),
            record(4, "fan", 1, Split::test, Label::anomaly),
            record(5, "pump", 0, Split::train, Label::normal),
            record(6, "pump", 0, Split::test, Label::normal),
            record(7, "", -1, Split::unknown, Label::unknown, true),
        };
        dataset::write_manifest(dataset::manifest_path(root), records);
        manifest = dataset::read_manifest(dataset::manifest_path(root));
        write_features("log_mel", false);
        write_map("log_mel_s2_device-fan", {0, 1, 2, 3, 4}, "device-fan", 2);
        write_map("log_mel_s1_global", {0, 1, 2, 3, 4, 5, 6, 7}, "global", 1);
    }

    void write_features(const std::string& rep, bool zero_energy) {
        fs::create_directories(root / "features");
        auto file = store::H5File::create(root / "features" / (rep + ".h5"));
        std::vector<float> energy;
        std::vector<std::int64_t> offsets = {0};
        std::vector<std::int32_t> ids;
        for (std::int32_t id = 0; id < static_cast<std::int32_t>(manifest.size()); ++id) {
            for (int frame = 0; frame < frames_per_file; ++frame) {
                energy.push_back(zero_energy ? 0.0f : static_cast<float>(frame + 1));
            }
            offsets.push_back(offsets.back() + frames_per_file);
            ids.push_back(id);
        }
        file.write<float>("energy", energy);
        file.write<std::int64_t>("file_offsets", offsets);
        file.write<std::int32_t>("file_id", ids);
        file.set_attribute("manifest_fingerprint", manifest.fingerprint);
    }

    // Points of every listed file at frames 0 .. frames_per_file - stack, spread by file.
    void write_map(const std::string& name, const std::vector<std::int32_t>& files,
                   const std::string& scope, int stack) {
        store::MapData map;
        for (const std::int32_t id : files) {
            for (int frame = 0; frame + stack <= frames_per_file; ++frame) {
                map.embedding.push_back(static_cast<float>(id * 3 + frame % 3));
                map.embedding.push_back(static_cast<float>(frame));
                map.file_id.push_back(id);
                map.frame.push_back(frame);
                map.fitted.push_back(1);
            }
        }
        map.points = static_cast<std::int64_t>(map.file_id.size());
        map.text["rep"] = "log_mel";
        map.text["scope"] = scope;
        map.numbers["stack"] = stack;
        map.numbers["seed"] = 3;
        store::write_map(root / "maps" / (name + ".h5"), map);
    }
};

WorkspacePlotOptions fast_options() {
    WorkspacePlotOptions options;
    options.formats = {ImageFormat::png};
    options.plot.dpi = 30;
    options.plot.threads = 1;
    return options;
}

std::vector<std::string> plot_names(const fs::path& folder) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

TEST(WorkspacePlots, WritesPlotsPerScope) {
    const Workspace work("plot-workspace-scopes");
    auto options = fast_options();
    options.formats = {ImageFormat::png, ImageFormat::svg};
    const auto result = plot_workspace(work.root, options);
    EXPECT_EQ(result.exit_code(), 0);
    const std::vector<std::string> expected = {
        ".stamps.json",
        "log_mel_s1_global_global.png",
        "log_mel_s1_global_global.svg",
        "log_mel_s2_device-fan_device.png",
        "log_mel_s2_device-fan_device.svg",
        "log_mel_s2_device-fan_section-00.png",
        "log_mel_s2_device-fan_section-00.svg",
        "log_mel_s2_device-fan_section-01.png",
        "log_mel_s2_device-fan_section-01.svg",
    };
    EXPECT_EQ(plot_names(work.root / "plots"), expected);
    EXPECT_EQ(result.count(PlotOutcome::Status::written), 8);
    const testing::Image image(work.root / "plots" / "log_mel_s2_device-fan_device.png");
    EXPECT_EQ(image.width(), 12 * 30);
    // The page height shrinks to the map's aspect ratio, up to the nominal 6 inches.
    EXPECT_LE(image.height(), 6 * 30);
    EXPECT_GT(image.height(), 2 * 30);
}

TEST(WorkspacePlots, UnchangedInputsSkipped) {
    const Workspace work("plot-workspace-stamps");
    const auto options = fast_options();
    EXPECT_EQ(plot_workspace(work.root, options).count(PlotOutcome::Status::written), 4);
    const auto second = plot_workspace(work.root, options);
    EXPECT_EQ(second.count(PlotOutcome::Status::written), 0);
    EXPECT_EQ(second.count(PlotOutcome::Status::unchanged), 4);

    // Another dpi changes every fingerprint; a cross option only the section plots'.
    auto other_dpi = options;
    other_dpi.plot.dpi = 31;
    EXPECT_EQ(plot_workspace(work.root, other_dpi).count(PlotOutcome::Status::written), 4);
    auto other_cross = other_dpi;
    other_cross.plot.cross_average = 3;
    EXPECT_EQ(plot_workspace(work.root, other_cross).count(PlotOutcome::Status::written), 2);

    // A deleted plot is drawn again, and --force draws everything.
    fs::remove(work.root / "plots" / "log_mel_s1_global_global.png");
    EXPECT_EQ(plot_workspace(work.root, other_cross).count(PlotOutcome::Status::written), 1);
    auto forced = other_cross;
    forced.force = true;
    EXPECT_EQ(plot_workspace(work.root, forced).count(PlotOutcome::Status::written), 4);
}

TEST(WorkspacePlots, RewrittenMapDrawnAgain) {
    Workspace work("plot-workspace-rewritten");
    const auto options = fast_options();
    plot_workspace(work.root, options);
    // A map with other contents has another size, so its file stamp changes.
    work.write_map("log_mel_s1_global", {0, 1, 5, 6}, "global", 1);
    const auto result = plot_workspace(work.root, options);
    EXPECT_EQ(result.count(PlotOutcome::Status::written), 1);
    EXPECT_EQ(result.count(PlotOutcome::Status::unchanged), 3);
}

TEST(WorkspacePlots, SelectsMapsAndKinds) {
    const Workspace work("plot-workspace-select");
    auto options = fast_options();
    options.maps = {"log_mel_s2_device-fan.h5"};
    options.kinds = parse_plot_kind("section");
    const auto result = plot_workspace(work.root, options);
    const std::vector<std::string> expected = {".stamps.json",
                                               "log_mel_s2_device-fan_section-00.png",
                                               "log_mel_s2_device-fan_section-01.png"};
    EXPECT_EQ(plot_names(work.root / "plots"), expected);
    EXPECT_EQ(result.exit_code(), 0);
}

TEST(WorkspacePlots, UnknownMapNamed) {
    const Workspace work("plot-workspace-unknown");
    auto options = fast_options();
    options.maps = {"log_mel_s9_global"};
    try {
        plot_workspace(work.root, options);
        FAIL() << "expected a UsageError";
    } catch (const UsageError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("log_mel_s9_global"), std::string::npos) << message;
        EXPECT_NE(message.find("log_mel_s1_global"), std::string::npos) << message;
    }
    EXPECT_THROW(parse_plot_kind("devices"), UsageError);
}

TEST(WorkspacePlots, BadMapDoesNotStopOthers) {
    const Workspace work("plot-workspace-bad");
    write_file_atomic(work.root / "maps" / "broken.h5", "not an HDF5 file");
    const auto result = plot_workspace(work.root, fast_options());
    EXPECT_EQ(result.count(PlotOutcome::Status::failed), 1);
    EXPECT_EQ(result.count(PlotOutcome::Status::written), 4);
    EXPECT_EQ(result.exit_code(), static_cast<int>(ExitCode::partial));
}

TEST(WorkspacePlots, MapOfOtherManifestFails) {
    const Workspace work("plot-workspace-stale");
    const fs::path global = work.root / "maps" / "log_mel_s1_global.h5";
    store::MapData map = store::read_map(global);
    map.text["manifest_fingerprint"] = "fingerprint of an older manifest.csv";
    store::write_map(global, map);
    const fs::path device = work.root / "maps" / "log_mel_s2_device-fan.h5";
    map = store::read_map(device);
    map.text["manifest_fingerprint"] = work.manifest.fingerprint;
    store::write_map(device, map);

    const auto result = plot_workspace(work.root, fast_options());
    EXPECT_EQ(result.count(PlotOutcome::Status::failed), 1);
    EXPECT_EQ(result.count(PlotOutcome::Status::written), 3);
    EXPECT_EQ(result.exit_code(), static_cast<int>(ExitCode::partial));
    for (const auto& outcome : result.outcomes) {
        if (outcome.status == PlotOutcome::Status::failed) {
            EXPECT_EQ(outcome.path, global);
            EXPECT_NE(outcome.error.find("was made from another manifest.csv"), std::string::npos)
                << outcome.error;
        }
    }
}

TEST(WorkspacePlots, MissingMapsFolderIsAnError) {
    const Workspace work("plot-workspace-empty");
    fs::remove_all(work.root / "maps");
    EXPECT_THROW(plot_workspace(work.root, fast_options()), Error);
}

TEST(WorkspacePlots, MissingManifestIsAnError) {
    const Workspace work("plot-workspace-no-manifest");
    fs::remove(dataset::manifest_path(work.root));
    EXPECT_THROW(plot_workspace(work.root, fast_options()), Error);
}

TEST(LoadPlotInput, EnergyIsStackMean) {
    const Workspace work("plot-load-energy");
    const auto input = load_plot_input(work.root / "maps" / "log_mel_s2_device-fan.h5",
                                       work.manifest, work.root / "features" / "log_mel.h5");
    EXPECT_EQ(input.map.rep, "log_mel");
    EXPECT_EQ(input.map.scope, "device-fan");
    EXPECT_EQ(input.map.stack, 2);
    ASSERT_TRUE(input.map.seed);
    EXPECT_EQ(*input.map.seed, 3u);
    ASSERT_EQ(input.energy.size(), input.points());
    // Point 4 is frame 4 of file 0: frames 4 and 5 have energies 5 and 6.
    EXPECT_FLOAT_EQ(input.energy[4], 5.5f);
    EXPECT_EQ(input.files.size(), 8u);
    EXPECT_EQ(input.file_of(0).device, "fan");
}

TEST(LoadPlotInput, ZeroEnergyMeansNone) {
    Workspace work("plot-load-zero");
    work.write_features("log_mel", true);
    const auto input = load_plot_input(work.root / "maps" / "log_mel_s1_global.h5", work.manifest,
                                       work.root / "features" / "log_mel.h5");
    EXPECT_TRUE(input.energy.empty());
}

TEST(LoadPlotInput, FileOutsideManifestRejected) {
    Workspace work("plot-load-outside");
    store::MapData map;
    map.points = 1;
    map.embedding = {0, 0};
    map.file_id = {42};
    map.frame = {0};
    map.fitted = {1};
    store::write_map(work.root / "maps" / "stale.h5", map);
    EXPECT_THROW(load_plot_input(work.root / "maps" / "stale.h5", work.manifest, std::nullopt),
                 Error);
}

}  // namespace
}  // namespace uadscope::plot
