#pragma once

// Vectors that `uadscope score` feeds to the detectors, SEP and DSUP: stacked frames read
// from a feature file (every stride-th vector of each file, or the points of a map's
// sample), or the 2-D coordinates of a map's points.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "pipeline/feature_file.h"
#include "store/map_file.h"

namespace uadscope::pipeline {

// Vectors of some manifest files, row-major [size(), dims].
struct VectorBatch {
    std::size_t dims = 0;
    std::vector<float> values;
    std::vector<std::int32_t> files;   // manifest file_id of each vector
    std::vector<std::int32_t> frames;  // first frame of each vector's stack within its file
    std::vector<std::int64_t> points;  // map point of each vector; -1 for all-frame sources

    std::size_t size() const { return files.size(); }
    std::span<const float> row(std::size_t i) const { return {values.data() + i * dims, dims}; }
    // Appends vector i of `other` (same dims).
    void append(const VectorBatch& other, std::size_t i);
};

class VectorSource {
  public:
    virtual ~VectorSource() = default;
    virtual std::size_t dims() const = 0;
    // The vectors of `file_ids` (manifest rows), file by file in the given order. A file
    // without vectors (failed, shorter than the stack, absent from the map) adds none.
    virtual VectorBatch read(std::span<const std::int32_t> file_ids) const = 0;
};

// Every stride-th stacked vector (vectors 0, stride, 2 stride, ...) of each file of a
// feature file.
std::unique_ptr<VectorSource> feature_vectors(const FeatureFile& features,
                                              std::size_t manifest_size, int stack, int stride);

// The kind of vector used for a map point.
enum class PointSpace {
    map,       // its 2-D map coordinates
    original,  // its stacked vector from the feature file
};

// The vectors of a map's points, for each file the points in map order. With
// PointSpace::original, `features` must be the map's feature file and `stack` its stack.
std::unique_ptr<VectorSource> map_point_vectors(const store::MapData& map, PointSpace space,
                                                const FeatureFile* features,
                                                std::size_t manifest_size, int stack);

}  // namespace uadscope::pipeline
