#include "pipeline/import_stage.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <new>
#include <optional>
#include <regex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/hash.h"
#include "core/parallel.h"
#include "dataset/manifest.h"
#include "dataset/naming.h"
#include "pipeline/feature_file.h"
#include "pipeline/workspace.h"
#include "store/h5.h"
#include "store/npy.h"

namespace uadscope::pipeline {

namespace fs = std::filesystem;

namespace {

// One embedding of the source: a .npy file or one file's columns of a paper-layout HDF5.
struct SourceEntry {
    std::string label;       // for messages: the .npy path or "<h5>: metadata[i] <path>"
    std::string key;         // path without extensions, '/'-separated
    fs::path npy;            // .npy source only
    std::int64_t first = 0;  // HDF5 source only: first column of data
    std::int64_t frames = 0;
    std::int64_t dims = 0;
    std::string problem;        // empty while usable
    std::int64_t file_id = -1;  // matched manifest row
};

// Drops the extension, and a second one when it is an audio extension ("x.wav.npy").
std::string strip_extensions(std::string path) {
    fs::path stripped = fs::path(path).replace_extension();
    if (dataset::is_audio_file(stripped)) {
        stripped.replace_extension();
    }
    return stripped.generic_string();
}

// Finds the manifest row of an embedding from its key; see import_stage.h for the order.
class ManifestMatcher {
  public:
    explicit ManifestMatcher(const dataset::Manifest& manifest) {
        for (const auto& record : manifest.records) {
            const std::string relative = strip_extensions(record.relative_path);
            by_path_[record.dataset + "/" + relative].push_back(record.file_id);
            by_path_[relative].push_back(record.file_id);
            by_stem_[fs::path(relative).filename().string()].push_back(record.file_id);
        }
    }

    // Returns the file_id, or sets `problem`. Tries the whole key, then shorter suffixes
    // (dropping leading folders), then the basename.
    std::int64_t match(const std::string& key, std::string& problem) const {
        std::string_view suffix = key;
        while (true) {
            const auto found = by_path_.find(std::string(suffix));
            if (found != by_path_.end()) {
                return unique(found->second, key, problem);
            }
            const auto slash = suffix.find('/');
            if (slash == std::string_view::npos) {
                break;
            }
            suffix.remove_prefix(slash + 1);
        }
        const auto stem = by_stem_.find(fs::path(key).filename().string());
        if (stem == by_stem_.end()) {
            problem = "no manifest file has this name";
            return -1;
        }
        return unique(stem->second, key, problem);
    }

  private:
    static std::int64_t unique(const std::vector<std::int64_t>& ids, const std::string& key,
                               std::string& problem) {
        std::vector<std::int64_t> distinct = ids;
        std::sort(distinct.begin(), distinct.end());
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        if (distinct.size() == 1) {
            return distinct.front();
        }
        problem = fmt::format(
            "ambiguous: '{}' matches {} manifest files; mirror the dataset "
            "folders (<relative path>.npy) to tell them apart",
            key, distinct.size());
        return -1;
    }

    std::map<std::string, std::vector<std::int64_t>> by_path_;
    std::map<std::string, std::vector<std::int64_t>> by_stem_;
};

// Describes the first value of `values` ([frames, dims], row-major) that is not finite once
// stored as float32, with its frame, or returns "" when all are finite. A float64 value beyond
// the float32 range (about 3.4e38) becomes infinity in the feature file.
std::string float32_problem(std::span<const double> values, std::int64_t dims) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (std::isfinite(static_cast<float>(values[i]))) {
            continue;
        }
        const auto frame = static_cast<std::int64_t>(i) / std::max<std::int64_t>(dims, 1);
        if (!std::isfinite(values[i])) {
            return fmt::format("frame {} contains NaN or infinity", frame);
        }
        return fmt::format("frame {} holds {:g}, beyond the float32 range of +-{:g}", frame,
                           values[i], static_cast<double>(std::numeric_limits<float>::max()));
    }
    return "";
}

// Checks the shape declared in the header of the .npy file `path` against the bytes the file
// holds, before store::read_npy allocates them: a 768-byte file that declares (10^12, 8)
// would otherwise make it allocate terabytes. Returns the problem, or "" when the size fits
// or the header is left for read_npy to reject.
// TODO: move this check into store::read_npy, which also reads a negative dim as positive.
std::string npy_size_problem(const fs::path& path) {
    std::ifstream stream(path, std::ios::binary);
    char prefix[8] = {};
    stream.read(prefix, sizeof(prefix));
    if (!stream || std::memcmp(prefix, "\x93NUMPY", 6) != 0) {
        return "";
    }
    const int major = static_cast<unsigned char>(prefix[6]);
    const std::size_t length_bytes = major == 1 ? 2 : 4;
    unsigned char length[4] = {};
    stream.read(reinterpret_cast<char*>(length), static_cast<std::streamsize>(length_bytes));
    std::uint64_t header_length = 0;
    for (std::size_t i = length_bytes; i-- > 0;) {
        header_length = header_length << 8 | length[i];
    }
    std::string header(std::min<std::uint64_t>(header_length, 1u << 20), '\0');
    stream.read(header.data(), static_cast<std::streamsize>(header.size()));
    if (!stream) {
        return "";
    }
    static const std::regex shape_pattern(R"('shape'\s*:\s*\(([^)]*)\))");
    static const std::regex descr_pattern(R"('descr'\s*:\s*'[<>|=]?[a-z](\d+)')");
    std::smatch shape;
    std::smatch descr;
    if (!std::regex_search(header, shape, shape_pattern) ||
        !std::regex_search(header, descr, descr_pattern)) {
        return "";
    }
    const std::string dims_text = shape[1];
    std::uint64_t bytes = std::stoull(descr[1].str());
    static const std::regex number(R"(-?\d+)");
    for (auto it = std::sregex_iterator(dims_text.begin(), dims_text.end(), number);
         it != std::sregex_iterator(); ++it) {
        const std::string dim_text = it->str();
        if (dim_text.front() == '-') {
            return fmt::format("the header declares a negative dim in shape ({})", dims_text);
        }
        std::uint64_t dim = 0;
        const auto parsed =
            std::from_chars(dim_text.data(), dim_text.data() + dim_text.size(), dim);
        if (parsed.ec != std::errc() || __builtin_mul_overflow(bytes, dim, &bytes)) {
            return fmt::format("the header declares shape ({}), more bytes than a file can hold",
                               dims_text);
        }
    }
    std::error_code error;
    const std::uint64_t file_bytes = fs::file_size(path, error);
    const std::uint64_t data_offset = sizeof(prefix) + length_bytes + header_length;
    const std::uint64_t data_bytes =
        error || file_bytes < data_offset ? 0 : file_bytes - data_offset;
    if (bytes > data_bytes) {
        return fmt::format(
            "truncated: the header declares shape ({}) of {} bytes but the file holds {} data "
            "bytes",
            dims_text, bytes, data_bytes);
    }
    return "";
}

// Lists and checks the .npy files of `folder` (rank, type, finite values).
std::vector<SourceEntry> scan_npy_folder(const fs::path& folder, int jobs) {
    std::vector<SourceEntry> entries;
    std::error_code error;
    for (fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied,
                                             error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (it->is_regular_file() && it->path().extension() == ".npy") {
            SourceEntry entry;
            entry.npy = it->path();
            entry.label = it->path().string();
            entry.key = strip_extensions(it->path().lexically_relative(folder).generic_string());
            entries.push_back(std::move(entry));
        }
    }
    if (error) {
        throw Error(fmt::format("cannot list '{}': {}", folder.string(), error.message()));
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.key < b.key; });

    parallel_for(entries.size(), jobs, [&](std::size_t i, int) {
        SourceEntry& entry = entries[i];
        entry.problem = npy_size_problem(entry.npy);
        if (!entry.problem.empty()) {
            return;
        }
        try {
            const store::NpyArray array = store::read_npy(entry.npy);
            if (array.shape.size() != 2) {
                entry.problem = fmt::format("wrong rank {} (shape [{}]): expected [frames, dims]",
                                            array.shape.size(), fmt::join(array.shape, ", "));
            } else if (array.type != store::NpyType::float32 &&
                       array.type != store::NpyType::float64) {
                entry.problem = fmt::format(
                    "not a float array (dtype {}): save float32 or "
                    "float64",
                    store::npy_descr(array.type));
            } else if (std::string problem = float32_problem(array.values, array.shape[1]);
                       !problem.empty()) {
                entry.problem = std::move(problem);
            } else {
                entry.frames = array.shape[0];
                entry.dims = array.shape[1];
            }
        } catch (const Error& caught) {
            entry.problem = caught.what();
        } catch (const std::bad_alloc&) {
            entry.problem = "not enough memory to read it";
        }
    });
    return entries;
}

// Reads the entries of an HDF5 file in the paper scripts' layout (see export_stage.h) and
// its whole data matrix [dims, frames] into `data`.
std::vector<SourceEntry> scan_paper_file(const fs::path& path, std::vector<float>& data,
                                         std::int64_t& total_frames) {
    const store::H5File h5 = store::H5File::open(path);
    for (const char* name : {"data", "data_idxs", "metadata"}) {
        if (!h5.has_dataset(name)) {
            throw Error(
                fmt::format("'{}' has no dataset '{}': expected the paper scripts' "
                            "layout (data [dims, frames], data_idxs [2, files], "
                            "metadata)",
                            path.string(), name));
        }
    }
    const store::Shape shape = h5.shape("data");
    const store::Shape idxs_shape = h5.shape("data_idxs");
    const std::vector<std::string> metadata = h5.read_strings("metadata");
    if (shape.one_dimensional || idxs_shape.one_dimensional || idxs_shape.rows != 2 ||
        idxs_shape.cols != static_cast<std::int64_t>(metadata.size())) {
        throw Error(
            fmt::format("'{}': data must be [dims, frames] and data_idxs [2, files] with "
                        "one metadata string per file",
                        path.string()));
    }
    if (!h5.is_float("data")) {
        throw Error(
            fmt::format("'{}': dataset 'data' holds integers, not embeddings; save it as "
                        "float32 or float64",
                        path.string()));
    }
    // NOTE: the whole data matrix is read into memory (dims x frames x 4 bytes).
    data = h5.read<float>("data");
    total_frames = shape.cols;
    const std::vector<std::int64_t> idxs = h5.read<std::int64_t>("data_idxs");
    const auto files = static_cast<std::size_t>(idxs_shape.cols);

    std::vector<SourceEntry> entries(files);
    for (std::size_t i = 0; i < files; ++i) {
        SourceEntry& entry = entries[i];
        entry.dims = shape.rows;
        entry.label = fmt::format("{}: metadata[{}]", path.string(), i);
        const std::int64_t start = idxs[i];
        const std::int64_t end = idxs[files + i];
        try {
            const auto json = nlohmann::json::parse(metadata[i]);
            entry.key = strip_extensions(json.at("path").get<std::string>());
            entry.label += " " + json.at("path").get<std::string>();
        } catch (const std::exception& caught) {
            entry.problem =
                fmt::format("metadata is not JSON with a \"path\" string: {}", caught.what());
            continue;
        }
        if (start < 0 || end < start || end > total_frames) {
            entry.problem = fmt::format("data_idxs [{}, {}) is outside data's {} frames", start,
                                        end, total_frames);
            continue;
        }
        entry.first = start;
        entry.frames = end - start;
        // read<float> turned NaN, infinity and float64 values beyond the float32 range into
        // non-finite floats.
        for (std::int64_t d = 0; d < shape.rows && entry.problem.empty(); ++d) {
            const auto row = std::span<const float>(data).subspan(
                static_cast<std::size_t>(d * total_frames + start),
                static_cast<std::size_t>(entry.frames));
            const auto bad = std::find_if(row.begin(), row.end(),
                                          [](float value) { return !std::isfinite(value); });
            if (bad != row.end()) {
                entry.problem = fmt::format(
                    "frame {} contains NaN, infinity or a value beyond the float32 range",
                    bad - row.begin());
            }
        }
    }
    return entries;
}

// The dims shared by most matched embeddings; ties go to the smaller dims.
std::int64_t majority_dims(const std::vector<SourceEntry>& entries) {
    std::map<std::int64_t, std::size_t> counts;
    for (const SourceEntry& entry : entries) {
        if (entry.problem.empty() && entry.file_id >= 0) {
            ++counts[entry.dims];
        }
    }
    std::int64_t best = 0;
    std::size_t best_count = 0;
    for (const auto& [dims, count] : counts) {
        if (count > best_count) {
            best = dims;
            best_count = count;
        }
    }
    if (counts.size() > 1) {
        spdlog::warn("import: embeddings have {} different dims; keeping the majority {}",
                     counts.size(), best);
    }
    return best;
}

}  // namespace

ImportResult run_import(const ImportOptions& options) {
    validate_rep_name(options.name);
    if (is_computed_rep(options.name)) {
        throw UsageError(
            fmt::format("--name {} is reserved for computed features; choose "
                        "another name, such as openl3",
                        options.name));
    }
    if (!(options.hop_seconds > 0) || !std::isfinite(options.hop_seconds)) {
        throw UsageError(
            fmt::format("invalid --hop {}: expected the positive number of "
                        "seconds between embedding frames",
                        options.hop_seconds));
    }
    if (!fs::exists(options.source)) {
        throw UsageError(fmt::format("--from '{}' not found", options.source.string()));
    }
    const Workspace workspace(options.workspace);
    const dataset::Manifest manifest = dataset::read_manifest(workspace.manifest());
    const fs::path source = fs::absolute(options.source).lexically_normal();
    const bool from_folder = fs::is_directory(source);

    std::vector<float> paper_data;
    std::int64_t paper_frames = 0;
    std::vector<SourceEntry> entries = from_folder
                                           ? scan_npy_folder(source, resolve_jobs(options.jobs))
                                           : scan_paper_file(source, paper_data, paper_frames);
    spdlog::info("import: {} embeddings in {}", entries.size(), source.string());

    // Match entries to manifest rows; several entries for one row make all of them ambiguous.
    // A rejected entry that matches still explains why its manifest file has no embedding.
    const ManifestMatcher matcher(manifest);
    std::map<std::int64_t, std::vector<std::size_t>> claims;
    std::map<std::int64_t, std::string> missing_reason;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        SourceEntry& entry = entries[i];
        if (entry.key.empty()) {
            continue;
        }
        std::string problem;
        const std::int64_t file_id = matcher.match(entry.key, problem);
        if (file_id < 0) {
            if (entry.problem.empty()) {
                entry.problem = problem;
            }
        } else if (!entry.problem.empty()) {
            missing_reason.emplace(file_id, "rejected: " + entry.problem);
        } else {
            entry.file_id = file_id;
            claims[file_id].push_back(i);
        }
    }
    for (const auto& [file_id, claimants] : claims) {
        if (claimants.size() > 1) {
            for (const std::size_t i : claimants) {
                entries[i].problem =
                    fmt::format("ambiguous: {} embeddings match '{}'", claimants.size(),
                                manifest.records[file_id].relative_path);
                entries[i].file_id = -1;
            }
            missing_reason[file_id] = entries[claimants.front()].problem;
        }
    }

    ImportResult result;
    result.files = manifest.size();
    result.dims = majority_dims(entries);
    std::vector<std::int64_t> accepted(manifest.size(), -1);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        SourceEntry& entry = entries[i];
        if (entry.problem.empty() && entry.dims != result.dims) {
            entry.problem =
                fmt::format("dims {} differ from the majority {}", entry.dims, result.dims);
            missing_reason[entry.file_id] = "rejected: " + entry.problem;
            entry.file_id = -1;
        }
        if (entry.problem.empty()) {
            accepted[static_cast<std::size_t>(entry.file_id)] = static_cast<std::int64_t>(i);
            ++result.imported;
        } else {
            result.rejected.emplace_back(entry.label, entry.problem);
        }
    }
    if (result.imported == 0) {
        throw Error(
            fmt::format("no embedding in '{}' matched a file of '{}' ({} embeddings "
                        "found); name each .npy after its audio file",
                        source.string(), manifest.path.string(), entries.size()));
    }

    // Write the feature file in manifest order.
    result.output = workspace.features(options.name);
    fs::create_directories(workspace.features_folder());
    remove_stale_temp_files(workspace.features_folder());
    FeatureFileWriter writer(result.output, result.dims);
    for (const dataset::FileRecord& record : manifest.records) {
        const auto id = static_cast<std::int32_t>(record.file_id);
        const std::int64_t index = accepted[static_cast<std::size_t>(record.file_id)];
        if (index < 0) {
            const auto reason = missing_reason.find(record.file_id);
            const std::string status =
                reason != missing_reason.end() ? reason->second : "no embedding file";
            result.missing.emplace_back(record.path, status);
            writer.append_file(id, record.relative_path, status, {}, {});
            continue;
        }
        const SourceEntry& entry = entries[static_cast<std::size_t>(index)];
        std::vector<float> rows;
        if (from_folder) {
            const store::NpyArray array = store::read_npy(entry.npy);
            if (array.shape != std::vector<std::int64_t>{entry.frames, entry.dims}) {
                throw Error(
                    fmt::format("'{}' changed while it was imported; run the import "
                                "again",
                                entry.label));
            }
            rows = array.as_float();
        } else {
            rows.resize(static_cast<std::size_t>(entry.frames * entry.dims));
            for (std::int64_t f = 0; f < entry.frames; ++f) {
                for (std::int64_t d = 0; d < entry.dims; ++d) {
                    rows[static_cast<std::size_t>(f * entry.dims + d)] =
                        paper_data[static_cast<std::size_t>(d * paper_frames + entry.first + f)];
                }
            }
        }
        const std::vector<float> energy(static_cast<std::size_t>(entry.frames), 0.0f);
        writer.append_file(id, record.relative_path, "ok", rows, energy);
    }

    store::H5File& file = writer.file();
    file.set_attribute("rep", options.name);
    file.set_attribute("source", "import");
    file.set_attribute("imported_from", source.string());
    file.set_attribute("import_format", from_folder ? "npy" : "paper-h5");
    file.set_attribute("hop_seconds", options.hop_seconds);
    file.set_attribute("manifest_fingerprint", manifest.fingerprint);
    file.set_attribute("fingerprint", Hasher()
                                          .add(std::string_view("uadscope import"))
                                          .add(std::string_view(manifest.fingerprint))
                                          .add(std::string_view(options.name))
                                          .add(source.string())
                                          .add(options.hop_seconds)
                                          .hex());
    file.set_attribute("version", options.tool_version);
    writer.commit();
    spdlog::info("import: wrote {} ({} of {} files, {} dims)", result.output.string(),
                 result.imported, result.files, result.dims);
    return result;
}

}  // namespace uadscope::pipeline
