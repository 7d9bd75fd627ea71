#pragma once

// Parallel loops over an index range with exceptions carried back to the caller.

#include <cstddef>
#include <functional>

namespace uadscope {

// Returns the thread count to use: `requested` when positive, else the hardware count.
int resolve_jobs(int requested);

// Calls body(i, worker) for every i in [0, n) on `jobs` threads (worker in [0, jobs)),
// handing out indices one at a time in increasing order so that long and short items mix.
// The first exception thrown by any call is rethrown after all threads have joined; the
// remaining indices are then skipped. jobs <= 1 runs inline on the calling thread.
void parallel_for(std::size_t n, int jobs,
                  const std::function<void(std::size_t index, int worker)>& body);

}  // namespace uadscope
