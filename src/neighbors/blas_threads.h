#pragma once

// Holds OpenBLAS at one thread while uadscope runs its own threads, each calling BLAS on
// its own block (internal to neighbors).

#include <cblas.h>

namespace uadscope::neighbors::detail {

class SingleThreadedBlas {
  public:
    SingleThreadedBlas() : previous_(openblas_get_num_threads()) { openblas_set_num_threads(1); }
    ~SingleThreadedBlas() { openblas_set_num_threads(previous_); }
    SingleThreadedBlas(const SingleThreadedBlas&) = delete;
    SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

  private:
    int previous_;
};

}  // namespace uadscope::neighbors::detail
