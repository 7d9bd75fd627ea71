#include "features/stack.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"

namespace uadscope::features {

FrameMatrix stack_frames(const FrameMatrix& frames, int stack) {
    if (stack < 1) {
        throw Error(fmt::format("invalid stack {}: expected at least 1 frame", stack));
    }
    UADSCOPE_ASSERT(frames.values.size() == static_cast<std::size_t>(frames.frames * frames.dims));
    FrameMatrix stacked;
    stacked.dims = frames.dims * stack;
    stacked.frames = std::max<std::int64_t>(0, frames.frames - stack + 1);
    // Row i of the stacked matrix is the contiguous block of rows i .. i + stack - 1.
    const auto row_values = static_cast<std::size_t>(stacked.dims);
    stacked.values.resize(static_cast<std::size_t>(stacked.frames) * row_values);
    for (std::int64_t i = 0; i < stacked.frames; ++i) {
        const auto source = frames.values.begin() + static_cast<std::ptrdiff_t>(i * frames.dims);
        std::copy(source, source + static_cast<std::ptrdiff_t>(row_values),
                  stacked.values.begin() +
                      static_cast<std::ptrdiff_t>(i) * static_cast<std::ptrdiff_t>(row_values));
    }
    return stacked;
}

}  // namespace uadscope::features
