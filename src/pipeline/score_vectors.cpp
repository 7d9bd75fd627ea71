#include "pipeline/score_vectors.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/error.h"

namespace uadscope::pipeline {

void VectorBatch::append(const VectorBatch& other, std::size_t i) {
    UADSCOPE_ASSERT(other.dims == dims);
    const auto source = other.row(i);
    values.insert(values.end(), source.begin(), source.end());
    files.push_back(other.files[i]);
    frames.push_back(other.frames[i]);
    points.push_back(other.points[i]);
}

namespace {

// Feature-file rows of each manifest file (-1 for none).
std::vector<std::int64_t> table_rows(const FeatureFile& features, std::size_t manifest_size) {
    std::vector<std::int64_t> rows(manifest_size, -1);
    for (std::int64_t row = 0; row < features.file_count(); ++row) {
        const std::int32_t file_id = features.file_ids()[static_cast<std::size_t>(row)];
        if (file_id >= 0 && static_cast<std::size_t>(file_id) < manifest_size) {
            rows[static_cast<std::size_t>(file_id)] = row;
        }
    }
    return rows;
}

class FeatureVectors : public VectorSource {
  public:
    FeatureVectors(const FeatureFile& features, std::size_t manifest_size, int stack, int stride)
        : features_(features),
          rows_(table_rows(features, manifest_size)),
          stack_(stack),
          stride_(stride) {}

    std::size_t dims() const override {
        return static_cast<std::size_t>(features_.dims()) * static_cast<std::size_t>(stack_);
    }

    VectorBatch read(std::span<const std::int32_t> file_ids) const override {
        VectorBatch batch;
        batch.dims = dims();
        const auto frame_dims = static_cast<std::size_t>(features_.dims());
        for (const std::int32_t file_id : file_ids) {
            const std::int64_t row = rows_.at(static_cast<std::size_t>(file_id));
            if (row < 0) {
                continue;
            }
            const std::int64_t frames = features_.file_frames(row);
            if (frames < stack_) {
                continue;
            }
            const std::vector<float> data = features_.read_file(row);
            // Vector i is frames i .. i + stack - 1, contiguous in the row-major frame matrix.
            for (std::int64_t first = 0; first + stack_ <= frames; first += stride_) {
                const auto begin = data.begin() + static_cast<std::ptrdiff_t>(
                                                      static_cast<std::size_t>(first) * frame_dims);
                batch.values.insert(batch.values.end(), begin,
                                    begin + static_cast<std::ptrdiff_t>(batch.dims));
                batch.files.push_back(file_id);
                batch.frames.push_back(static_cast<std::int32_t>(first));
                batch.points.push_back(-1);
            }
        }
        return batch;
    }

  private:
    const FeatureFile& features_;
    std::vector<std::int64_t> rows_;
    int stack_;
    int stride_;
};

class MapPointVectors : public VectorSource {
  public:
    MapPointVectors(const store::MapData& map, PointSpace space, const FeatureFile* features,
                    std::size_t manifest_size, int stack)
        : map_(map), space_(space), features_(features), stack_(stack) {
        for (std::int64_t point = 0; point < map.points; ++point) {
            points_of_file_[map.file_id[static_cast<std::size_t>(point)]].push_back(point);
        }
        if (space == PointSpace::original) {
            UADSCOPE_ASSERT(features != nullptr);
            rows_ = table_rows(*features, manifest_size);
        }
    }

    std::size_t dims() const override {
        if (space_ == PointSpace::map) {
            return 2;
        }
        return static_cast<std::size_t>(features_->dims()) * static_cast<std::size_t>(stack_);
    }

    VectorBatch read(std::span<const std::int32_t> file_ids) const override {
        VectorBatch batch;
        batch.dims = dims();
        for (const std::int32_t file_id : file_ids) {
            const auto found = points_of_file_.find(file_id);
            if (found == points_of_file_.end()) {
                continue;
            }
            std::vector<float> data;
            std::int64_t frames = 0;
            if (space_ == PointSpace::original) {
                const std::int64_t row = rows_.at(static_cast<std::size_t>(file_id));
                frames = row < 0 ? 0 : features_->file_frames(row);
                if (row >= 0) {
                    data = features_->read_file(row);
                }
            }
            for (const std::int64_t point : found->second) {
                const auto p = static_cast<std::size_t>(point);
                const std::int32_t first = map_.frame[p];
                if (space_ == PointSpace::map) {
                    batch.values.push_back(map_.embedding[2 * p]);
                    batch.values.push_back(map_.embedding[2 * p + 1]);
                } else {
                    if (first < 0 || first + stack_ > frames) {
                        throw Error(fmt::format(
                            "map point {} (file {}, frame {}, stack {}) lies outside the "
                            "feature file '{}'; the map is older than the features, rerun "
                            "`uadscope map`",
                            point, file_id, first, stack_, features_->path().string()));
                    }
                    const auto begin =
                        data.begin() +
                        static_cast<std::ptrdiff_t>(static_cast<std::size_t>(first) *
                                                    static_cast<std::size_t>(features_->dims()));
                    batch.values.insert(batch.values.end(), begin,
                                        begin + static_cast<std::ptrdiff_t>(batch.dims));
                }
                batch.files.push_back(file_id);
                batch.frames.push_back(first);
                batch.points.push_back(point);
            }
        }
        return batch;
    }

  private:
    const store::MapData& map_;
    PointSpace space_;
    const FeatureFile* features_;
    int stack_;
    std::map<std::int32_t, std::vector<std::int64_t>> points_of_file_;
    std::vector<std::int64_t> rows_;
};

}  // namespace

std::unique_ptr<VectorSource> feature_vectors(const FeatureFile& features,
                                              std::size_t manifest_size, int stack, int stride) {
    UADSCOPE_ASSERT(stack >= 1 && stride >= 1);
    return std::make_unique<FeatureVectors>(features, manifest_size, stack, stride);
}

std::unique_ptr<VectorSource> map_point_vectors(const store::MapData& map, PointSpace space,
                                                const FeatureFile* features,
                                                std::size_t manifest_size, int stack) {
    return std::make_unique<MapPointVectors>(map, space, features, manifest_size, stack);
}

}  // namespace uadscope::pipeline
