#pragma once

// Feature files, WORK/features/<rep>.h5: every frame of every manifest file in one
// row-major float32 matrix [frames, dims], with the per-file offsets, the frame energy and
// the file table. Written by the features and import stages, read by every later stage.
//
// Datasets (docs/formats.md): data float32 [frames, dims] (chunked), file_offsets int64
// [files + 1], energy float32 [frames], file_id int32 [files], file_path string [files]
// (relative path), file_status string [files]; parameters are root attributes.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "dataset/manifest.h"
#include "store/h5.h"

namespace uadscope::pipeline {

// Version of the feature file layout, stored as the format_version attribute.
inline constexpr std::int64_t feature_format_version = 1;

// Streams files into a new feature file under a temporary name; commit() renames it.
// Destroying the writer without commit() removes the temporary file.
class FeatureFileWriter {
  public:
    FeatureFileWriter(const std::filesystem::path& final_path, std::int64_t dims);
    ~FeatureFileWriter();
    FeatureFileWriter(const FeatureFileWriter&) = delete;
    FeatureFileWriter& operator=(const FeatureFileWriter&) = delete;

    // The open file, for setting attributes before commit().
    store::H5File& file() { return *file_; }

    // Appends the next manifest file: rows is [frames, dims] row-major, energy [frames].
    // A file without frames (failed, or shorter than one frame) passes empty spans.
    void append_file(std::int32_t file_id, const std::string& relative_path,
                     const std::string& status, std::span<const float> rows,
                     std::span<const float> energy);

    std::int64_t frames() const { return offsets_.back(); }
    std::int64_t dims() const { return dims_; }

    // Writes the file table, closes the file and renames it to its final name.
    void commit();

  private:
    AtomicFile atomic_;
    std::optional<store::H5File> file_;
    std::int64_t dims_;
    std::vector<std::int64_t> offsets_{0};
    std::vector<float> energy_;
    std::vector<std::int32_t> file_ids_;
    std::vector<std::string> paths_;
    std::vector<std::string> statuses_;
};

// Read access to a feature file.
class FeatureFile {
  public:
    // Opens `path` and reads its file table; throws Error naming the file when it is not a
    // feature file or its table is inconsistent.
    static FeatureFile open(const std::filesystem::path& path);

    const std::filesystem::path& path() const { return h5_->path(); }
    const store::H5File& h5() const { return *h5_; }

    std::int64_t file_count() const { return static_cast<std::int64_t>(file_ids_.size()); }
    std::int64_t frame_count() const { return offsets_.back(); }
    std::int64_t dims() const { return dims_; }
    // [files + 1]: rows of file i are offsets[i] .. offsets[i + 1].
    const std::vector<std::int64_t>& file_offsets() const { return offsets_; }
    const std::vector<std::int32_t>& file_ids() const { return file_ids_; }
    const std::vector<std::string>& file_status() const { return statuses_; }
    std::int64_t file_frames(std::int64_t file) const {
        return offsets_[file + 1] - offsets_[file];
    }

    // Rows [first, first + count) of data, [count, dims] row-major.
    std::vector<float> read_rows(std::int64_t first, std::int64_t count) const;
    // The rows of one file (index into the file table), [file_frames(file), dims].
    std::vector<float> read_file(std::int64_t file) const;
    // energy [frames].
    std::vector<float> read_energy() const;

    // String attribute, or empty when absent.
    std::string attribute(const std::string& name) const;

  private:
    std::unique_ptr<store::H5File> h5_;
    std::int64_t dims_ = 0;
    std::vector<std::int64_t> offsets_;
    std::vector<std::int32_t> file_ids_;
    std::vector<std::string> statuses_;
};

// Opens WORK/features/<rep>.h5 for a later stage and checks that it belongs to `manifest`:
// one row of the file table per manifest row and the same manifest fingerprint. Throws
// Error saying which command rebuilds it (features for log_stft and log_mel, import for
// other names).
FeatureFile open_workspace_features(const std::filesystem::path& workspace, const std::string& rep,
                                    const dataset::Manifest& manifest);

}  // namespace uadscope::pipeline
