#include "pipeline/export_stage.h"

#include <algorithm>
#include <cstdint>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "dataset/csv.h"
#include "store/h5.h"
#include "store/npy.h"

namespace uadscope::pipeline {

namespace fs = std::filesystem;

namespace {

// Rows copied per read from the feature file: bounded memory for any dims.
std::int64_t rows_per_block(std::int64_t dims) {
    constexpr std::int64_t block_bytes = 16 << 20;
    return std::max<std::int64_t>(1,
                                  block_bytes / (dims * static_cast<std::int64_t>(sizeof(float))));
}

// Writes a float32 .npy array of shape [rows, cols] whose rows arrive in blocks, so that
// data larger than memory can be exported. store::write_npy needs the whole array at once.
class NpyRowWriter {
  public:
    NpyRowWriter(const fs::path& path, std::int64_t rows, std::int64_t cols)
        : atomic_(path), rows_(rows), cols_(cols) {
        out_.open(atomic_.temp_path(), std::ios::binary);
        // Format 1.0: magic, version, little-endian header length, then a Python dict literal
        // padded with spaces and ended by '\n' so that the data starts at a multiple of 64.
        std::string header = fmt::format(
            "{{'descr': '<f4', 'fortran_order': False, 'shape': "
            "({}, {}), }}",
            rows, cols);
        constexpr std::size_t preamble = 10;
        const std::size_t total = (preamble + header.size() + 1 + 63) / 64 * 64;
        header.append(total - preamble - header.size() - 1, ' ');
        header += '\n';
        const auto length = static_cast<std::uint16_t>(header.size());
        out_.write("\x93NUMPY\x01\x00", 8);
        const char length_bytes[2] = {static_cast<char>(length & 0xff),
                                      static_cast<char>(length >> 8)};
        out_.write(length_bytes, 2);
        out_.write(header.data(), static_cast<std::streamsize>(header.size()));
    }

    void append(std::span<const float> values) {
        UADSCOPE_ASSERT(values.size() % static_cast<std::size_t>(cols_) == 0);
        written_rows_ += static_cast<std::int64_t>(values.size()) / cols_;
        out_.write(reinterpret_cast<const char*>(values.data()),
                   static_cast<std::streamsize>(values.size() * sizeof(float)));
    }

    void commit() {
        UADSCOPE_ASSERT(written_rows_ == rows_);
        out_.close();
        if (!out_) {
            throw Error("cannot write '" + atomic_.temp_path().string() +
                        "': check free disk space and permissions");
        }
        atomic_.commit();
    }

  private:
    AtomicFile atomic_;
    std::ofstream out_;
    std::int64_t rows_;
    std::int64_t cols_;
    std::int64_t written_rows_ = 0;
};

std::string files_table(const FeatureFile& features, const dataset::Manifest& manifest) {
    std::vector<std::string> header = {"file_id",  "path",        "relative_path", "dataset",
                                       "scheme",   "device",      "section",       "domain",
                                       "split",    "label",       "index",         "attributes",
                                       "external", "first_frame", "frames",        "status"};
    std::string text;
    dataset::append_csv_row(text, header);
    for (std::int64_t i = 0; i < features.file_count(); ++i) {
        const dataset::FileRecord& record = manifest.records[static_cast<std::size_t>(i)];
        dataset::append_csv_row(
            text, {std::to_string(record.file_id), record.path, record.relative_path,
                   record.dataset, record.name.scheme, record.name.device, record.section_text(),
                   std::string(dataset::to_string(record.name.domain)),
                   std::string(dataset::to_string(record.name.split)),
                   std::string(dataset::to_string(record.name.label)),
                   record.name.index < 0 ? "" : std::to_string(record.name.index),
                   dataset::format_attributes(record.name.attributes), record.external ? "1" : "0",
                   std::to_string(features.file_offsets()[i]),
                   std::to_string(features.file_frames(i)), features.file_status()[i]});
    }
    return text;
}

}  // namespace

void check_export_path(const fs::path& workspace, const fs::path& output) {
    // Entries of WORK that the stages write, which an export must not overwrite.
    static const std::vector<std::string> workspace_data = {
        "manifest.csv", "skipped.csv", "report.html", "features",     "maps",
        "scores",       "metrics",     "plots",       "ground_truth",
    };
    const fs::path root = fs::weakly_canonical(fs::absolute(workspace));
    const fs::path target = fs::weakly_canonical(fs::absolute(output));
    const fs::path relative = target.lexically_relative(root);
    if (relative.empty() || *relative.begin() == "..") {
        return;
    }
    if (relative == ".") {
        throw UsageError(
            fmt::format("export output '{}' is the workspace folder itself; choose "
                        "a file or folder outside its data, such as {}",
                        output.string(), (root / "exports").string()));
    }
    const std::string first = relative.begin()->string();
    const bool in_parts = std::any_of(relative.begin(), relative.end(),
                                      [](const fs::path& part) { return part == ".parts"; });
    if (in_parts ||
        std::find(workspace_data.begin(), workspace_data.end(), first) != workspace_data.end()) {
        throw UsageError(fmt::format(
            "export output '{}' would overwrite the workspace's own data ({}); choose a path "
            "outside it, such as {}",
            output.string(), (root / first).string(), (root / "exports").string()));
    }
}

std::vector<fs::path> export_npy(const FeatureFile& features, const dataset::Manifest& manifest,
                                 const fs::path& folder) {
    fs::create_directories(folder);
    const std::int64_t frames = features.frame_count();
    const std::int64_t dims = features.dims();

    NpyRowWriter data(folder / "data.npy", frames, dims);
    const std::int64_t block = rows_per_block(dims);
    for (std::int64_t first = 0; first < frames; first += block) {
        data.append(features.read_rows(first, std::min(block, frames - first)));
    }
    data.commit();

    const std::vector<std::int64_t> offsets_shape{features.file_count() + 1};
    store::write_npy(folder / "file_offsets.npy", std::span(features.file_offsets()),
                     offsets_shape);
    const std::vector<float> energy = features.read_energy();
    const std::vector<std::int64_t> energy_shape{frames};
    store::write_npy(folder / "energy.npy", std::span<const float>(energy), energy_shape);
    write_file_atomic(folder / "files.csv", files_table(features, manifest));
    return {folder / "data.npy", folder / "file_offsets.npy", folder / "energy.npy",
            folder / "files.csv"};
}

std::string paper_metadata(const dataset::FileRecord& record, const std::string& status) {
    nlohmann::ordered_json attributes = nlohmann::ordered_json::object();
    for (const auto& [key, value] : record.name.attributes) {
        attributes[key] = value;
    }
    nlohmann::ordered_json metadata;
    metadata["path"] = record.relative_path;
    metadata["device"] = record.name.device;
    metadata["section"] = record.name.section < 0 ? nlohmann::ordered_json(nullptr)
                                                  : nlohmann::ordered_json(record.section_text());
    metadata["domain"] = dataset::to_string(record.name.domain);
    metadata["split"] = dataset::to_string(record.name.split);
    metadata["label"] = dataset::to_string(record.name.label);
    metadata["index"] = record.name.index < 0 ? nlohmann::ordered_json(nullptr)
                                              : nlohmann::ordered_json(record.name.index);
    metadata["attributes"] = std::move(attributes);
    metadata["dataset"] = record.dataset;
    metadata["external"] = record.external;
    metadata["file_id"] = record.file_id;
    metadata["status"] = status;
    return metadata.dump();
}

void export_paper(const FeatureFile& features, const dataset::Manifest& manifest,
                  const fs::path& path) {
    const std::int64_t frames = features.frame_count();
    const std::int64_t dims = features.dims();
    if (frames == 0) {
        throw Error(
            fmt::format("'{}' has no frames (every file failed), so the paper layout "
                        "would have an empty data matrix; fix the failed files first",
                        features.path().string()));
    }

    // data [dims, frames]: column f is frame f.
    std::vector<float> transposed(static_cast<std::size_t>(frames * dims));
    const std::int64_t block = rows_per_block(dims);
    for (std::int64_t first = 0; first < frames; first += block) {
        const std::int64_t count = std::min(block, frames - first);
        const std::vector<float> rows = features.read_rows(first, count);
        for (std::int64_t r = 0; r < count; ++r) {
            for (std::int64_t d = 0; d < dims; ++d) {
                transposed[static_cast<std::size_t>(d * frames + first + r)] =
                    rows[static_cast<std::size_t>(r * dims + d)];
            }
        }
    }

    const std::int64_t files = features.file_count();
    std::vector<std::int64_t> data_idxs(static_cast<std::size_t>(2 * files));
    std::vector<std::string> metadata;
    metadata.reserve(static_cast<std::size_t>(files));
    for (std::int64_t i = 0; i < files; ++i) {
        data_idxs[static_cast<std::size_t>(i)] = features.file_offsets()[i];
        data_idxs[static_cast<std::size_t>(files + i)] = features.file_offsets()[i + 1];
        metadata.push_back(paper_metadata(manifest.records[static_cast<std::size_t>(i)],
                                          features.file_status()[i]));
    }

    AtomicFile atomic(path);
    {
        store::H5File out = store::H5File::create(atomic.temp_path());
        out.write_matrix<float>("data", transposed, dims, frames);
        out.write_matrix<std::int64_t>("data_idxs", data_idxs, 2, files);
        out.write_strings("metadata", metadata);
        out.set_attribute("rep", features.attribute("rep"));
        out.set_attribute("layout", "dcase2021_umaps IncrementalHDF5: data [dims, frames]");
        if (features.h5().has_attribute("hop_seconds")) {
            out.set_attribute("hop_seconds", features.h5().attribute_double("hop_seconds"));
        }
        out.set_attribute("manifest_fingerprint", features.attribute("manifest_fingerprint"));
        out.set_attribute("fingerprint", features.attribute("fingerprint"));
    }
    atomic.commit();
}

}  // namespace uadscope::pipeline
