#include "plot/workspace_plots.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/hash.h"
#include "plot/device_plot.h"
#include "plot/figure.h"
#include "plot/global_plot.h"
#include "plot/section_plot.h"
#include "store/h5.h"
#include "store/map_file.h"

namespace uadscope::plot {

namespace fs = std::filesystem;

namespace {

// Changes whenever the drawing code changes what a plot looks like, so that existing plots
// are drawn again.
constexpr std::int64_t plot_revision = 1;
constexpr const char* stamps_file_name = ".stamps.json";

enum class MapScope { global, device, section };

struct PlannedPlot {
    PlotKind kind;
    std::optional<SectionKey> section;
    std::string suffix;  // "global", "device", "section-03"
};

std::string two_digits(int section) {
    if (section < 0) {
        return "none";
    }
    return fmt::format("{:02d}", section);
}

std::string text_attribute(const store::MapData& map, const std::string& name) {
    const auto found = map.text.find(name);
    return found == map.text.end() ? std::string() : found->second;
}

std::optional<double> number_attribute(const store::MapData& map, const std::string& name) {
    const auto found = map.numbers.find(name);
    if (found != map.numbers.end()) {
        return found->second;
    }
    // Integer attributes written as text by another tool.
    const auto text = map.text.find(name);
    if (text != map.text.end()) {
        try {
            return std::stod(text->second);
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

MapScope scope_of(const PlotInput& input) {
    const std::string& scope = input.map.scope;
    if (scope == "global") {
        return MapScope::global;
    }
    if (scope.rfind("device", 0) == 0) {
        return MapScope::device;
    }
    if (scope.rfind("section", 0) == 0) {
        return MapScope::section;
    }
    std::set<std::string> devices;
    for (const auto& key : sections_of(input)) {
        devices.insert(key.device);
    }
    return devices.size() > 1 ? MapScope::global : MapScope::device;
}

std::vector<PlannedPlot> plan_plots(const PlotInput& input, const std::vector<PlotKind>& kinds) {
    const MapScope scope = scope_of(input);
    auto requested = [&](PlotKind kind) {
        return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
    };
    std::vector<PlannedPlot> plots;
    if (scope == MapScope::global) {
        if (requested(PlotKind::global)) {
            plots.push_back({PlotKind::global, std::nullopt, "global"});
        }
        return plots;
    }
    if (requested(PlotKind::device)) {
        plots.push_back({PlotKind::device, std::nullopt, "device"});
    }
    if (requested(PlotKind::section)) {
        for (const auto& key : sections_of(input)) {
            plots.push_back({PlotKind::section, key, "section-" + two_digits(key.section)});
        }
    }
    return plots;
}

fs::path find_map(const fs::path& maps_folder, const std::string& name,
                  const std::vector<fs::path>& available) {
    const std::string stem =
        name.size() > 3 && name.ends_with(".h5") ? name.substr(0, name.size() - 3) : name;
    for (const auto& path : available) {
        if (path.stem().string() == stem) {
            return path;
        }
    }
    std::string names;
    for (const auto& path : available) {
        names += (names.empty() ? "" : ", ") + path.stem().string();
    }
    throw UsageError("map '" + name + "' not found in '" + maps_folder.string() +
                     "'; available: " + (names.empty() ? "none (run `uadscope map`)" : names));
}

std::map<std::string, std::string> read_stamps(const fs::path& path) {
    std::map<std::string, std::string> stamps;
    if (!fs::exists(path)) {
        return stamps;
    }
    try {
        const auto json = nlohmann::json::parse(read_file(path));
        for (const auto& [name, value] : json.at("plots").items()) {
            stamps[name] = value.get<std::string>();
        }
    } catch (const std::exception& error) {
        spdlog::warn("ignoring '{}' ({}): every plot will be drawn again", path.string(),
                     error.what());
        stamps.clear();
    }
    return stamps;
}

void write_stamps(const fs::path& path, const std::map<std::string, std::string>& stamps) {
    nlohmann::json json;
    json["revision"] = plot_revision;
    json["plots"] = nlohmann::json::object();
    for (const auto& [name, value] : stamps) {
        json["plots"][name] = value;
    }
    write_file_atomic(path, json.dump(2) + "\n");
}

std::string plot_fingerprint(const PlannedPlot& plan, ImageFormat format,
                             const PlotOptions& options, const std::string& map_stamp,
                             const std::string& manifest_fingerprint,
                             const std::string& features_stamp) {
    Hasher hasher;
    hasher.add(plot_revision)
        .add(plan.suffix)
        .add(extension_of(format))
        .add(options.dpi)
        .add(static_cast<std::int64_t>(options.seed))
        .add(map_stamp)
        .add(manifest_fingerprint);
    if (format == ImageFormat::svg) {
        hasher.add(options.svg_max_vector_points);
    }
    if (plan.kind == PlotKind::section) {
        hasher.add(options.cross_exclude).add(options.cross_average).add(features_stamp);
    }
    return hasher.hex();
}

}  // namespace

std::vector<PlotKind> parse_plot_kind(const std::string& text) {
    if (text == "global") {
        return {PlotKind::global};
    }
    if (text == "device") {
        return {PlotKind::device};
    }
    if (text == "section") {
        return {PlotKind::section};
    }
    if (text == "all") {
        return {PlotKind::global, PlotKind::device, PlotKind::section};
    }
    throw UsageError("invalid plot kind '" + text + "'; use global, device, section or all");
}

std::int64_t WorkspacePlotResult::count(PlotOutcome::Status status) const {
    return std::count_if(outcomes.begin(), outcomes.end(),
                         [&](const PlotOutcome& outcome) { return outcome.status == status; });
}

int WorkspacePlotResult::exit_code() const {
    const std::int64_t failed = count(PlotOutcome::Status::failed);
    if (failed == 0) {
        return static_cast<int>(ExitCode::ok);
    }
    return static_cast<int>(failed == static_cast<std::int64_t>(outcomes.size())
                                ? ExitCode::failure
                                : ExitCode::partial);
}

PlotInput load_plot_input(const fs::path& map_path, const dataset::Manifest& manifest,
                          const std::optional<fs::path>& features) {
    store::MapData map = store::read_map(map_path);
    store::check_map_manifest(map_path, map.text, manifest.fingerprint);
    PlotInput input;
    input.map.name = map_path.stem().string();
    input.map.rep = text_attribute(map, "rep");
    input.map.scope = text_attribute(map, "scope");
    input.map.stack = static_cast<int>(number_attribute(map, "stack").value_or(1));
    input.map.seed = map.seed;
    input.files.reserve(manifest.size());
    for (const auto& record : manifest.records) {
        input.files.push_back(file_info_of(record));
    }
    input.embedding = std::move(map.embedding);
    input.file = std::move(map.file_id);
    for (std::size_t i = 0; i < input.file.size(); ++i) {
        if (input.file[i] < 0 || static_cast<std::size_t>(input.file[i]) >= manifest.size()) {
            throw Error("map '" + map_path.string() + "': point " + std::to_string(i) +
                        " refers to file " + std::to_string(input.file[i]) + ", but '" +
                        manifest.path.string() + "' has " + std::to_string(manifest.size()) +
                        " rows; the map was made from another manifest, rerun `uadscope map`");
        }
    }
    if (!features) {
        return input;
    }

    // Mean energy of the stack behind each point.
    const auto file = store::H5File::open(*features);
    const auto energy = file.read<float>("energy");
    if (std::none_of(energy.begin(), energy.end(), [](float value) { return value != 0; })) {
        return input;
    }
    const auto offsets = file.read<std::int64_t>("file_offsets");
    const auto file_ids = file.read<std::int32_t>("file_id");
    if (offsets.size() != file_ids.size() + 1) {
        throw Error("features '" + features->string() +
                    "': file_offsets and file_id sizes disagree; run `uadscope features` again");
    }
    std::vector<std::int64_t> table_row(manifest.size(), -1);
    for (std::size_t i = 0; i < file_ids.size(); ++i) {
        if (file_ids[i] >= 0 && static_cast<std::size_t>(file_ids[i]) < manifest.size()) {
            table_row[static_cast<std::size_t>(file_ids[i])] = static_cast<std::int64_t>(i);
        }
    }
    const std::int64_t stack = std::max(1, input.map.stack);
    input.energy.resize(input.file.size());
    for (std::size_t i = 0; i < input.file.size(); ++i) {
        const std::int64_t row = table_row[static_cast<std::size_t>(input.file[i])];
        const std::int64_t first = map.frame[i];
        const std::int64_t frames = row < 0 ? 0
                                            : offsets[static_cast<std::size_t>(row) + 1] -
                                                  offsets[static_cast<std::size_t>(row)];
        if (row < 0 || first < 0 || first + stack > frames) {
            throw Error("map '" + map_path.string() + "': point " + std::to_string(i) + " (file " +
                        std::to_string(input.file[i]) + ", frame " + std::to_string(first) +
                        ", stack " + std::to_string(stack) + ") lies outside '" +
                        features->string() +
                        "'; the map is older than the features, rerun `uadscope map`");
        }
        double sum = 0;
        const auto start = static_cast<std::size_t>(offsets[static_cast<std::size_t>(row)] + first);
        for (std::int64_t k = 0; k < stack; ++k) {
            sum += energy[start + static_cast<std::size_t>(k)];
        }
        input.energy[i] = static_cast<float>(sum / static_cast<double>(stack));
    }
    return input;
}

WorkspacePlotResult plot_workspace(const fs::path& work, const WorkspacePlotOptions& options) {
    options.plot.validate();
    if (options.formats.empty() || options.kinds.empty()) {
        throw UsageError("no plot format or kind requested");
    }
    const fs::path maps_folder = work / "maps";
    const fs::path plots_folder = work / "plots";
    const dataset::Manifest manifest = dataset::read_manifest(dataset::manifest_path(work));

    std::vector<fs::path> available;
    if (fs::is_directory(maps_folder)) {
        for (const auto& entry : fs::directory_iterator(maps_folder)) {
            if (entry.is_regular_file() && entry.path().extension() == ".h5") {
                available.push_back(entry.path());
            }
        }
    }
    std::sort(available.begin(), available.end());
    std::vector<fs::path> selected;
    if (options.maps.empty()) {
        selected = available;
    } else {
        for (const auto& name : options.maps) {
            selected.push_back(find_map(maps_folder, name, available));
        }
    }
    if (selected.empty()) {
        throw Error("no map files in '" + maps_folder.string() + "'; run `uadscope map " +
                    work.string() + "` first");
    }

    fs::create_directories(plots_folder);
    remove_stale_temp_files(plots_folder);
    const fs::path stamps_path = plots_folder / stamps_file_name;
    auto stamps = read_stamps(stamps_path);

    WorkspacePlotResult result;
    for (const fs::path& map_path : selected) {
        try {
            // Without energy first: the section plots need it only when they are drawn.
            PlotInput input = load_plot_input(map_path, manifest, std::nullopt);
            input.validate();
            const fs::path features = work / "features" / (input.map.rep + ".h5");
            const bool has_features = !input.map.rep.empty() && fs::exists(features);
            const std::string map_stamp = file_stamp(map_path);
            const std::string features_stamp = has_features ? file_stamp(features) : "none";
            bool energy_loaded = false;

            const auto plans = plan_plots(input, options.kinds);
            if (plans.empty()) {
                spdlog::info("map '{}' (scope {}) has none of the requested plot kinds",
                             input.map.name, input.map.scope.empty() ? "?" : input.map.scope);
            }
            for (const auto& plan : plans) {
                for (const ImageFormat format : options.formats) {
                    const std::string file_name = input.map.name + "_" + plan.suffix + "." +
                                                  std::string(extension_of(format));
                    const fs::path output = plots_folder / file_name;
                    const std::string fingerprint =
                        plot_fingerprint(plan, format, options.plot, map_stamp,
                                         manifest.fingerprint, features_stamp);
                    if (!options.force && fs::exists(output) && stamps[file_name] == fingerprint) {
                        result.outcomes.push_back({output, PlotOutcome::Status::unchanged, {}});
                        continue;
                    }
                    try {
                        if (plan.kind == PlotKind::section && has_features && !energy_loaded) {
                            input.energy = load_plot_input(map_path, manifest, features).energy;
                            energy_loaded = true;
                        }
                        if (plan.kind == PlotKind::global) {
                            write_global_plot(input, options.plot, output);
                        } else if (plan.kind == PlotKind::device) {
                            write_device_plot(input, options.plot, output);
                        } else {
                            write_section_plot(input, *plan.section, options.plot, output);
                        }
                        stamps[file_name] = fingerprint;
                        write_stamps(stamps_path, stamps);
                        result.outcomes.push_back({output, PlotOutcome::Status::written, {}});
                        spdlog::debug("wrote {}", output.string());
                    } catch (const Error& error) {
                        spdlog::error("plot '{}' failed: {}", output.string(), error.what());
                        result.outcomes.push_back(
                            {output, PlotOutcome::Status::failed, error.what()});
                    }
                }
            }
        } catch (const Error& error) {
            spdlog::error("map '{}' failed: {}", map_path.string(), error.what());
            result.outcomes.push_back({map_path, PlotOutcome::Status::failed, error.what()});
        }
    }
    return result;
}

}  // namespace uadscope::plot
