#pragma once

// Part files: the features of one audio file for one representation, written as soon as
// the file is done, so that an interrupted features run resumes without recomputing it.
// They live in WORK/features/.parts/<rep>-<fingerprint>/<file_id>.bin and are removed once
// the feature file is assembled.
//
// Layout (native little-endian): 8-byte magic "UADPART1", int64 file_id, int64 frames,
// int64 dims, int64 stamp length, the file_stamp bytes, float32 rows [frames, dims],
// float32 energy [frames], 8-byte magic "UADPEND1".

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "features/stack.h"

namespace uadscope::pipeline {

struct FeaturePart {
    std::int64_t file_id = 0;
    std::string file_stamp;      // the manifest's file_stamp of the audio file
    features::FrameMatrix rows;  // [frames, dims]
    std::vector<float> energy;   // [frames]
};

// Path of the part of `file_id` inside `folder`.
std::filesystem::path part_path(const std::filesystem::path& folder, std::int64_t file_id);

// Writes `part` atomically.
void write_part(const std::filesystem::path& path, const FeaturePart& part);

// Checks a part's header, size and end marker without reading its values.
bool part_is_complete(const std::filesystem::path& path, std::int64_t file_id,
                      const std::string& file_stamp, std::int64_t dims);

// Reads a part; returns nothing when the file is missing, truncated or belongs to another
// file_id, stamp or dims (then it is recomputed).
std::optional<FeaturePart> read_part(const std::filesystem::path& path, std::int64_t file_id,
                                     const std::string& file_stamp, std::int64_t dims);

}  // namespace uadscope::pipeline
