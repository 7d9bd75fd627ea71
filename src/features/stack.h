#pragma once

// Frame matrices and frame stacking.

#include <cstdint>
#include <vector>

namespace uadscope::features {

// A row-major matrix of `frames` rows (one per STFT frame, in time order) and `dims`
// columns; values has frames * dims elements.
struct FrameMatrix {
    std::int64_t frames = 0;
    std::int64_t dims = 0;
    std::vector<float> values;
};

// Stacks `stack` consecutive frames into one vector: row i of the result is rows
// i .. i + stack - 1 of `frames` concatenated in time order. The result has
// frames.frames - stack + 1 rows of frames.dims * stack values. It has no rows (but dims is
// still set) when the input has fewer than `stack` frames. Throws Error when stack < 1.
FrameMatrix stack_frames(const FrameMatrix& frames, int stack);

}  // namespace uadscope::features
