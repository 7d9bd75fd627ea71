#pragma once

// Seeded sampling of stacked-frame vectors per group, with caps.
//
// A group is one (device, section, domain, split, label) combination, or one external
// dataset. Each file offers `vectors` stacked vectors (frames - stack + 1, or none). A
// group with more vectors than its cap keeps a uniform sample of `cap` of them, drawn with
// selection sampling (Knuth, TAOCP vol. 2, Algorithm S), so the result comes out in file and
// frame order and needs no memory beyond the output.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace uadscope::analysis {

struct SampleFile {
    std::int32_t file_id = 0;
    std::int64_t vectors = 0;  // stacked vectors the file offers
    std::string group;         // files with the same group share one cap
    bool train = false;        // train files use the train cap, all others the test cap
};

struct SamplePoint {
    std::int32_t file_id = 0;
    std::int32_t frame = 0;  // first frame of the stack within the file
};

struct SampleCaps {
    std::int64_t max_train = 10000;  // per group; 0 keeps every vector
    std::int64_t max_test = 20000;   // per group; 0 keeps every vector
};

struct GroupCount {
    std::string group;
    std::int64_t available = 0;
    std::int64_t sampled = 0;
};

struct Sample {
    std::vector<SamplePoint> points;  // grouped by group (first-seen order), then file, frame
    std::vector<GroupCount> groups;
};

// Draws the sample. The result depends only on `files`, `caps` and `seed`: each group draws
// from its own generator, derived from the seed and the group's name.
Sample sample_vectors(std::span<const SampleFile> files, const SampleCaps& caps,
                      std::uint64_t seed);

}  // namespace uadscope::analysis
