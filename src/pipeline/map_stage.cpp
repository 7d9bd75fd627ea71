#include "pipeline/map_stage.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "analysis/sampling.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/parallel.h"
#include "dataset/manifest.h"
#include "pipeline/feature_file.h"
#include "pipeline/workspace.h"
#include "store/h5.h"
#include "store/map_file.h"
#include "umap/quality.h"

namespace uadscope::pipeline {

namespace fs = std::filesystem;

// Version of the map stage's output; bump it to invalidate maps written by older code.
constexpr std::int64_t map_format_version = 1;

MapScope parse_map_scope(const std::string& text) {
    if (text == "global") {
        return MapScope::global;
    }
    if (text == "device") {
        return MapScope::device;
    }
    if (text == "section") {
        return MapScope::section;
    }
    throw UsageError("invalid scope '" + text + "': use global, device or section");
}

FitMode parse_fit_mode(const std::string& text) {
    if (text == "joint") {
        return FitMode::joint;
    }
    if (text == "train") {
        return FitMode::train;
    }
    throw UsageError("invalid fit mode '" + text + "': use joint or train");
}

const char* to_string(MapScope scope) {
    switch (scope) {
        case MapScope::global:
            return "global";
        case MapScope::device:
            return "device";
        case MapScope::section:
            return "section";
    }
    return "?";
}

const char* to_string(FitMode fit) {
    return fit == FitMode::joint ? "joint" : "train";
}

std::string map_name(const std::string& rep, int stack, const std::string& scope_name) {
    return fmt::format("{}_s{}_{}", rep, stack, scope_name);
}

namespace {

// One map to make: its name, device and section filter.
struct ScopeUnit {
    std::string scope_name;
    std::string device;  // empty: every device
    std::string scheme;  // naming scheme of the device's files; empty: every scheme
    int section = -1;    // -1: every section
};

std::vector<ScopeUnit> scope_units(const dataset::Manifest& manifest,
                                   const MapStageOptions& options) {
    std::vector<ScopeUnit> units;
    if (options.scope == MapScope::global) {
        units.push_back({"global", "", "", -1});
        return units;
    }
    // A device name can occur under several naming schemes, such as a DCASE 2020 fan and a
    // MIMII fan, whose sections are unrelated. Each scheme's files therefore get their own
    // map, named with the scheme only where the device name alone would be ambiguous.
    std::set<std::tuple<std::string, std::string, int>> seen;
    std::map<std::string, std::set<std::string>> schemes_of_device;
    for (const auto& record : manifest.records) {
        if (record.external || record.name.device.empty()) {
            continue;
        }
        if (!options.device.empty() && record.name.device != options.device) {
            continue;
        }
        schemes_of_device[record.name.device].insert(record.name.scheme);
        if (options.scope == MapScope::device) {
            seen.emplace(record.name.device, record.name.scheme, -1);
        } else if (options.section < 0 || record.name.section == options.section) {
            seen.emplace(record.name.device, record.name.scheme, std::max(record.name.section, 0));
        }
    }
    for (const auto& [device, scheme, section] : seen) {
        const std::string device_name =
            schemes_of_device[device].size() > 1 ? device + "-" + scheme : device;
        if (options.scope == MapScope::device) {
            units.push_back({"device-" + device_name, device, scheme, -1});
        } else {
            units.push_back(
                {fmt::format("section-{}-{:02d}", device_name, section), device, scheme, section});
        }
    }
    if (units.empty()) {
        std::string known;
        std::set<std::string> devices;
        for (const auto& record : manifest.records) {
            if (!record.external && !record.name.device.empty()) {
                devices.insert(record.name.device);
            }
        }
        for (const auto& device : devices) {
            known += (known.empty() ? "" : ", ") + device;
        }
        throw Error("no files match device '" + options.device + "'" +
                    (options.section >= 0 ? fmt::format(" section {:02d}", options.section) : "") +
                    "; devices in the manifest: " + (known.empty() ? "(none)" : known));
    }
    return units;
}

bool in_unit(const dataset::FileRecord& record, const ScopeUnit& unit, bool with_external) {
    if (record.external) {
        return with_external && unit.section < 0;
    }
    if (!unit.device.empty() && record.name.device != unit.device) {
        return false;
    }
    if (!unit.scheme.empty() && record.name.scheme != unit.scheme) {
        return false;
    }
    return unit.section < 0 || std::max(record.name.section, 0) == unit.section;
}

std::string group_of(const dataset::FileRecord& record) {
    if (record.external) {
        return "external/" + record.dataset;
    }
    return fmt::format("{}/{}/{}/{}/{}", record.name.device, record.section_text(),
                       dataset::to_string(record.name.domain),
                       dataset::to_string(record.name.split),
                       dataset::to_string(record.name.label));
}

std::string fingerprint(const FeatureFile& features, const MapStageOptions& options,
                        const ScopeUnit& unit, std::int64_t max_train, std::int64_t max_test) {
    Hasher hasher;
    hasher.add(map_format_version)
        .add(file_stamp(features.path()))
        .add(features.attribute("manifest_fingerprint"))
        .add(options.rep)
        .add(std::int64_t{options.stack})
        .add(unit.scope_name)
        .add(max_train)
        .add(max_test)
        .add(static_cast<std::int64_t>(options.seed))
        .add(to_string(options.fit))
        .add(std::int64_t{options.external})
        .add(std::int64_t{options.umap.n_neighbors})
        .add(static_cast<double>(options.umap.min_dist))
        .add(static_cast<double>(options.umap.spread))
        .add(std::int64_t{options.umap.n_epochs})
        .add(static_cast<double>(options.umap.learning_rate))
        .add(std::int64_t{options.umap.negative_sample_rate})
        .add(umap::to_string(options.umap.init))
        .add(neighbors::to_string(options.umap.knn.method))
        // One thread gives a reproducible map, several do not: a map made on several threads
        // is not kept for a run asked on one.
        .add(std::int64_t{resolve_jobs(options.jobs) == 1});
    return hasher.hex();
}

std::string existing_fingerprint(const fs::path& path) {
    std::error_code error;
    if (!fs::exists(path, error)) {
        return "";
    }
    try {
        const auto file = store::H5File::open(path);
        return file.has_attribute("input_fingerprint") ? file.attribute_string("input_fingerprint")
                                                       : "";
    } catch (const Error& open_error) {
        spdlog::warn("map: {} is unreadable and will be rewritten: {}", path.string(),
                     open_error.what());
        return "";
    }
}

// The sampled points' stacked vectors, [points, stack * dims] row-major, read file by file.
std::vector<float> gather_vectors(const FeatureFile& features,
                                  const std::vector<analysis::SamplePoint>& points,
                                  const std::vector<std::int64_t>& table_row_of_file, int stack) {
    const auto dims = static_cast<std::size_t>(features.dims());
    const std::size_t width = dims * static_cast<std::size_t>(stack);
    std::vector<float> vectors(points.size() * width);
    std::map<std::int32_t, std::vector<std::size_t>> points_of_file;
    for (std::size_t i = 0; i < points.size(); ++i) {
        points_of_file[points[i].file_id].push_back(i);
    }
    for (const auto& [file_id, indices] : points_of_file) {
        const std::int64_t table_row = table_row_of_file[static_cast<std::size_t>(file_id)];
        const std::vector<float> rows = features.read_file(table_row);
        for (const std::size_t i : indices) {
            const auto first = static_cast<std::size_t>(points[i].frame) * dims;
            UADSCOPE_ASSERT(first + width <= rows.size());
            std::copy_n(rows.begin() + static_cast<std::ptrdiff_t>(first), width,
                        vectors.begin() + static_cast<std::ptrdiff_t>(i * width));
        }
    }
    return vectors;
}

}  // namespace

std::vector<MapSummary> run_map_stage(const fs::path& work, const MapStageOptions& options) {
    if (options.stack < 1 || options.stack > 64) {
        throw UsageError(
            fmt::format("stack {} is out of range: use 1 to 64 frames", options.stack));
    }
    validate_rep_name(options.rep);
    umap::UmapOptions umap_options = options.umap;
    umap_options.seed = options.seed;
    umap_options.jobs = resolve_jobs(options.jobs);
    umap::validate_options(umap_options);

    const bool global = options.scope == MapScope::global;
    analysis::SampleCaps caps;
    caps.max_train = options.max_train >= 0
                         ? options.max_train
                         : (global ? default_max_train_global : default_max_train_device);
    caps.max_test = options.max_test >= 0
                        ? options.max_test
                        : (global ? default_max_test_global : default_max_test_device);

    const Workspace workspace(work);
    const dataset::Manifest manifest = dataset::read_manifest(workspace.manifest());
    const FeatureFile features = open_workspace_features(work, options.rep, manifest);
    std::vector<std::int64_t> table_row_of_file(manifest.size(), -1);
    for (std::int64_t row = 0; row < features.file_count(); ++row) {
        table_row_of_file[static_cast<std::size_t>(features.file_ids()[row])] = row;
    }

    remove_stale_temp_files(work / "maps");
    std::vector<MapSummary> summaries;
    const std::vector<ScopeUnit> units = scope_units(manifest, options);
    // Builds the map of one unit into `summary`; throws Error when it cannot.
    const auto map_unit = [&](const ScopeUnit& unit, MapSummary& summary) {
        // A map fitted on training data only is another map than the joint one: its name
        // says so, and both can live in one workspace.
        summary.name =
            map_name(options.rep, options.stack,
                     unit.scope_name + (options.fit == FitMode::train ? "-trainfit" : ""));
        summary.path = work / "maps" / (summary.name + ".h5");
        const std::string input_fingerprint =
            fingerprint(features, options, unit, caps.max_train, caps.max_test);
        if (!options.force && existing_fingerprint(summary.path) == input_fingerprint) {
            const auto map = store::H5File::open(summary.path);
            summary.reused = true;
            summary.points = map.shape("embedding").rows;
            summary.trustworthiness = map.attribute_double("trustworthiness");
            summary.knn_preservation = map.attribute_double("knn_preservation");
            spdlog::info("map {}: inputs unchanged, kept {}", summary.name, summary.path.string());

            return;
        }

        // Candidate files: in scope, with frames, and long enough for one stack.
        std::vector<analysis::SampleFile> candidates;
        for (const auto& record : manifest.records) {
            if (!in_unit(record, unit, options.external)) {
                continue;
            }
            const std::int64_t row = table_row_of_file[static_cast<std::size_t>(record.file_id)];
            const std::int64_t frames = row < 0 ? 0 : features.file_frames(row);
            analysis::SampleFile file;
            file.file_id = static_cast<std::int32_t>(record.file_id);
            file.vectors = std::max<std::int64_t>(0, frames - options.stack + 1);
            file.group = group_of(record);
            file.train = !record.external && record.name.split == dataset::Split::train;
            candidates.push_back(file);
        }
        const analysis::Sample sample = analysis::sample_vectors(candidates, caps, options.seed);
        if (sample.points.size() < 2) {
            throw Error(fmt::format(
                "map {}: only {} vectors of {} stacked frames in '{}'; a map needs at least 2 "
                "(use a shorter --stack or check `uadscope features` for failed files)",
                summary.name, sample.points.size(), options.stack, features.path().string()));
        }
        for (const auto& group : sample.groups) {
            spdlog::debug("map {}: group {}: {} of {} vectors", summary.name, group.group,
                          group.sampled, group.available);
        }

        const std::size_t n = sample.points.size();
        const auto width = static_cast<std::size_t>(features.dims() * options.stack);
        const std::vector<float> vectors =
            gather_vectors(features, sample.points, table_row_of_file, options.stack);
        auto label_of = [&](const std::vector<std::size_t>& rows) {
            // A stacked vector contains frames frame to frame + stack - 1, `dims` columns
            // each, so column c of the message comes from frame + c / dims.
            const std::int64_t stack = options.stack;
            const std::int64_t dims = features.dims();
            return [&manifest, &sample, rows, stack, dims](std::size_t row) {
                const auto& point = sample.points[rows.empty() ? row : rows[row]];
                const std::string& path =
                    manifest.records[static_cast<std::size_t>(point.file_id)].path;
                if (stack == 1) {
                    return fmt::format("file '{}' frame {}", path, point.frame);
                }
                return fmt::format("file '{}' frames {} to {}, {} columns per frame", path,
                                   point.frame, point.frame + stack - 1, dims);
            };
        };

        const auto start = std::chrono::steady_clock::now();
        spdlog::info("map {}: {} vectors x {} dims, {} fit", summary.name, n, width,
                     to_string(options.fit));
        store::MapData map;
        map.points = static_cast<std::int64_t>(n);
        map.embedding.assign(n * 2, 0.0f);
        map.fitted.assign(n, 1);
        umap::UmapModel model;
        if (options.fit == FitMode::joint) {
            umap_options.row_label = label_of({});
            model = umap::fit(vectors, n, width, umap_options);
            map.embedding = model.embedding;
            map.k = model.knn.k;
            map.knn_indices = model.knn.indices;
            map.knn_distances = model.knn.distances;
        } else {
            // Training points are fitted; every other point is placed with transform.
            std::vector<std::size_t> train_rows;
            std::vector<std::size_t> other_rows;
            for (std::size_t i = 0; i < n; ++i) {
                const auto& record =
                    manifest.records[static_cast<std::size_t>(sample.points[i].file_id)];
                const bool train = !record.external && record.name.split == dataset::Split::train;
                (train ? train_rows : other_rows).push_back(i);
            }
            if (train_rows.size() < 2) {
                throw Error(
                    fmt::format("map {}: --fit train needs at least 2 training vectors, "
                                "found {}; use --fit joint",
                                summary.name, train_rows.size()));
            }
            auto pick = [&](const std::vector<std::size_t>& rows) {
                std::vector<float> picked(rows.size() * width);
                for (std::size_t r = 0; r < rows.size(); ++r) {
                    std::copy_n(vectors.begin() + static_cast<std::ptrdiff_t>(rows[r] * width),
                                width, picked.begin() + static_cast<std::ptrdiff_t>(r * width));
                }
                return picked;
            };
            umap_options.row_label = label_of(train_rows);
            model = umap::fit(pick(train_rows), train_rows.size(), width, umap_options);
            umap::TransformResult placed;
            if (!other_rows.empty()) {
                placed = umap::transform(model, pick(other_rows), other_rows.size(),
                                         label_of(other_rows));
            }
            // Neighbour lists in train mode point to training points only.
            map.k = model.knn.k;
            map.knn_indices.assign(n * static_cast<std::size_t>(map.k), 0);
            map.knn_distances.assign(n * static_cast<std::size_t>(map.k), 0.0f);
            auto store_row = [&](std::size_t point, std::span<const std::int32_t> indices,
                                 std::span<const float> distances) {
                for (int j = 0; j < map.k; ++j) {
                    const auto at =
                        point * static_cast<std::size_t>(map.k) + static_cast<std::size_t>(j);
                    map.knn_indices[at] =
                        static_cast<std::int32_t>(train_rows[static_cast<std::size_t>(indices[j])]);
                    map.knn_distances[at] = distances[static_cast<std::size_t>(j)];
                }
            };
            for (std::size_t r = 0; r < train_rows.size(); ++r) {
                map.embedding[train_rows[r] * 2] = model.embedding[r * 2];
                map.embedding[train_rows[r] * 2 + 1] = model.embedding[r * 2 + 1];
                store_row(train_rows[r], model.knn.row_indices(r), model.knn.row_distances(r));
            }
            for (std::size_t r = 0; r < other_rows.size(); ++r) {
                map.embedding[other_rows[r] * 2] = placed.embedding[r * 2];
                map.embedding[other_rows[r] * 2 + 1] = placed.embedding[r * 2 + 1];
                map.fitted[other_rows[r]] = 0;
                store_row(other_rows[r], placed.knn.row_indices(r), placed.knn.row_distances(r));
            }
        }
        // Trustworthiness needs k below n / 2 (scikit-learn's condition): small maps are
        // measured with fewer neighbours, and a map of 2 points not at all (NaN).
        const int quality_k = std::min(umap::default_quality_k, static_cast<int>((n - 1) / 2));
        umap::MapQuality quality;
        if (quality_k >= 1) {
            quality = umap::map_quality_subsampled(vectors, n, width, map.embedding, 2, quality_k,
                                                   umap::default_quality_rows, umap_options.jobs);
        } else {
            quality.trustworthiness = std::numeric_limits<double>::quiet_NaN();
            quality.knn_preservation = std::numeric_limits<double>::quiet_NaN();
            quality.k = 0;
        }
        if (quality_k < umap::default_quality_k) {
            spdlog::warn("map {}: {} points are too few for trustworthiness with k = {}; {}",
                         summary.name, n, umap::default_quality_k,
                         quality_k >= 1 ? fmt::format("measured with k = {}", quality_k)
                                        : std::string("stored as NaN"));
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

        for (const auto& point : sample.points) {
            map.file_id.push_back(point.file_id);
            map.frame.push_back(point.frame);
        }
        map.text = {
            {"rep", options.rep},
            {"scope", unit.scope_name},
            {"scope_kind", to_string(options.scope)},
            {"device", unit.device},
            {"fit", to_string(options.fit)},
            {"init", umap::to_string(model.init_used)},
            {"knn_method", neighbors::to_string(model.knn.method)},
            {"features_file", fs::relative(features.path(), work).generic_string()},
            {"input_fingerprint", input_fingerprint},
            {"manifest_fingerprint", manifest.fingerprint},
            {"uadscope_version", UADSCOPE_VERSION},
        };
        map.numbers = {
            {"stack", options.stack},
            {"section", unit.section},
            {"frames_dims", static_cast<double>(features.dims())},
            {"n_neighbors", model.n_neighbors_used},
            {"min_dist", umap_options.min_dist},
            {"spread", umap_options.spread},
            {"n_epochs", model.n_epochs_used},
            {"negative_sample_rate", umap_options.negative_sample_rate},
            {"learning_rate", umap_options.learning_rate},
            {"a", model.a},
            {"b", model.b},
            {"threads", umap_options.jobs},
            {"max_train", static_cast<double>(caps.max_train)},
            {"max_test", static_cast<double>(caps.max_test)},
            {"external", options.external ? 1 : 0},
            {"connected_components", static_cast<double>(model.connected_components)},
            {"knn_recall", model.knn.recall},
            {"trustworthiness", quality.trustworthiness},
            {"knn_preservation", quality.knn_preservation},
            {"quality_rows", static_cast<double>(quality.rows)},
            {"quality_k", quality.k},
            {"seconds", seconds},
            {"format_version", static_cast<double>(map_format_version)},
        };
        map.seed = options.seed;
        // Keeps hop and sample rate beside the map, for turning frames into time spans.
        for (const char* name : {"hop_length", "n_fft", "sample_rate", "hop_seconds"}) {
            if (features.h5().has_attribute(name)) {
                try {
                    map.numbers[name] = features.h5().attribute_double(name);
                } catch (const Error&) {
                    map.text[name] = features.h5().attribute_string(name);
                }
            }
        }
        store::write_map(summary.path, map);

        summary.points = static_cast<std::int64_t>(n);
        summary.trustworthiness = quality.trustworthiness;
        summary.knn_preservation = quality.knn_preservation;
        spdlog::info(
            "map {}: {} points in {:.1f} s, trustworthiness {:.4f}, kNN preservation "
            "{:.4f}, written to {}",
            summary.name, n, seconds, quality.trustworthiness, quality.knn_preservation,
            summary.path.string());
    };
    std::size_t failed = 0;
    for (const ScopeUnit& unit : units) {
        MapSummary summary;
        try {
            map_unit(unit, summary);
        } catch (const Error& error) {
            // A unit that cannot be mapped (say a device whose files are all shorter than the
            // stack) is listed, and the others are still mapped. A single unit raises its error.
            if (units.size() == 1) {
                throw;
            }
            spdlog::error("{}", error.what());
            summary.error = error.what();
            ++failed;
        }
        summaries.push_back(summary);
    }
    if (failed == units.size() && !units.empty()) {
        throw Error(fmt::format("no map could be made: {}", summaries.front().error));
    }
    return summaries;
}

}  // namespace uadscope::pipeline
