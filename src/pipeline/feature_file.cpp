#include "pipeline/feature_file.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "pipeline/workspace.h"

namespace uadscope::pipeline {

namespace fs = std::filesystem;

namespace {

// Rows per HDF5 chunk of data: about 1 MiB, so reading one file touches few chunks.
std::int64_t chunk_rows_for(std::int64_t dims) {
    constexpr std::int64_t chunk_bytes = 1 << 20;
    return std::max<std::int64_t>(1,
                                  chunk_bytes / (dims * static_cast<std::int64_t>(sizeof(float))));
}

}  // namespace

FeatureFileWriter::FeatureFileWriter(const fs::path& final_path, std::int64_t dims)
    : atomic_(final_path), dims_(dims) {
    UADSCOPE_ASSERT(dims > 0);
    file_.emplace(store::H5File::create(atomic_.temp_path()));
    file_->create_extendable("data", true, dims, chunk_rows_for(dims));
}

FeatureFileWriter::~FeatureFileWriter() {
    file_.reset();
}

void FeatureFileWriter::append_file(std::int32_t file_id, const std::string& relative_path,
                                    const std::string& status, std::span<const float> rows,
                                    std::span<const float> energy) {
    UADSCOPE_ASSERT(file_);
    UADSCOPE_ASSERT(rows.size() == energy.size() * static_cast<std::size_t>(dims_));
    file_->append_rows("data", rows);
    energy_.insert(energy_.end(), energy.begin(), energy.end());
    offsets_.push_back(offsets_.back() + static_cast<std::int64_t>(energy.size()));
    file_ids_.push_back(file_id);
    paths_.push_back(relative_path);
    statuses_.push_back(status);
}

void FeatureFileWriter::commit() {
    UADSCOPE_ASSERT(file_);
    file_->write<std::int64_t>("file_offsets", offsets_);
    file_->write<float>("energy", energy_);
    file_->write<std::int32_t>("file_id", file_ids_);
    file_->write_strings("file_path", paths_);
    file_->write_strings("file_status", statuses_);
    file_->set_attribute("dims", dims_);
    file_->set_attribute("format_version", feature_format_version);
    file_.reset();
    atomic_.commit();
}

FeatureFile FeatureFile::open(const fs::path& path) {
    FeatureFile result;
    result.h5_ = std::make_unique<store::H5File>(store::H5File::open(path));
    const store::H5File& h5 = *result.h5_;
    for (const char* name : {"data", "file_offsets", "energy", "file_id", "file_status"}) {
        if (!h5.has_dataset(name)) {
            throw Error(
                fmt::format("'{}' is not a uadscope feature file: dataset '{}' is "
                            "missing",
                            path.string(), name));
        }
    }
    const store::Shape data_shape = h5.shape("data");
    result.dims_ = data_shape.cols;
    result.offsets_ = h5.read<std::int64_t>("file_offsets");
    result.file_ids_ = h5.read<std::int32_t>("file_id");
    result.statuses_ = h5.read_strings("file_status");

    const auto files = result.file_ids_.size();
    const bool consistent = !data_shape.one_dimensional && result.offsets_.size() == files + 1 &&
                            result.statuses_.size() == files && result.offsets_.front() == 0 &&
                            result.offsets_.back() == data_shape.rows &&
                            std::is_sorted(result.offsets_.begin(), result.offsets_.end()) &&
                            h5.shape("energy").rows == data_shape.rows;
    if (!consistent) {
        throw Error(
            fmt::format("feature file '{}' is inconsistent (file_offsets, file_id, "
                        "file_status and data disagree): delete it and compute it again",
                        path.string()));
    }
    return result;
}

std::vector<float> FeatureFile::read_rows(std::int64_t first, std::int64_t count) const {
    UADSCOPE_ASSERT(first >= 0 && count >= 0 && first + count <= frame_count());
    if (count == 0) {
        return {};
    }
    return h5_->read_rows<float>("data", first, count);
}

std::vector<float> FeatureFile::read_file(std::int64_t file) const {
    UADSCOPE_ASSERT(file >= 0 && file < file_count());
    return read_rows(offsets_[file], file_frames(file));
}

std::vector<float> FeatureFile::read_energy() const {
    return h5_->read<float>("energy");
}

std::string FeatureFile::attribute(const std::string& name) const {
    return h5_->has_attribute(name) ? h5_->attribute_string(name) : std::string();
}

FeatureFile open_workspace_features(const fs::path& workspace, const std::string& rep,
                                    const dataset::Manifest& manifest) {
    const Workspace paths(workspace);
    const fs::path path = paths.features(rep);
    const std::string rebuild =
        is_computed_rep(rep)
            ? fmt::format("run `uadscope features {} --rep {}`", workspace.string(), rep)
            : fmt::format("run `uadscope import {} --name {} ...` again", workspace.string(), rep);
    if (!fs::exists(path)) {
        throw Error(fmt::format("representation '{}' not found: '{}' does not exist; {}", rep,
                                path.string(), rebuild));
    }
    FeatureFile file = FeatureFile::open(path);
    if (file.file_count() != static_cast<std::int64_t>(manifest.size()) ||
        file.attribute("manifest_fingerprint") != manifest.fingerprint) {
        throw Error(
            fmt::format("'{}' was made from another manifest than '{}' (the dataset "
                        "was indexed again); {}",
                        path.string(), manifest.path.string(), rebuild));
    }
    // Each manifest file has exactly one row: file_id indexes per-file tables downstream.
    std::vector<char> seen(manifest.size(), 0);
    for (std::int64_t row = 0; row < file.file_count(); ++row) {
        const std::int32_t id = file.file_ids()[static_cast<std::size_t>(row)];
        if (id < 0 || static_cast<std::size_t>(id) >= manifest.size() ||
            seen[static_cast<std::size_t>(id)] != 0) {
            throw Error(fmt::format(
                "feature file '{}' is inconsistent: row {} has file_id {}, {} (the manifest "
                "has files 0 to {}); delete it and {}",
                path.string(), row, id,
                id >= 0 && static_cast<std::size_t>(id) < manifest.size() ? "listed twice"
                                                                          : "out of range",
                manifest.size() - 1, rebuild));
        }
        seen[static_cast<std::size_t>(id)] = 1;
    }
    return file;
}

}  // namespace uadscope::pipeline
