#include "core/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace uadscope {

int resolve_jobs(int requested) {
    if (requested > 0) {
        return requested;
    }
    return std::max(1u, std::thread::hardware_concurrency());
}

void parallel_for(std::size_t n, int jobs,
                  const std::function<void(std::size_t index, int worker)>& body) {
    if (n == 0) {
        return;
    }
    const int threads = static_cast<int>(std::min<std::size_t>(std::max(jobs, 1), n));
    if (threads == 1) {
        for (std::size_t i = 0; i < n; ++i) {
            body(i, 0);
        }
        return;
    }

    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr first_error;
    std::mutex error_mutex;
    auto work = [&](int worker) {
        while (!failed.load(std::memory_order_relaxed)) {
            const std::size_t i = next.fetch_add(1);
            if (i >= n) {
                return;
            }
            try {
                body(i, worker);
            } catch (...) {
                std::lock_guard lock(error_mutex);
                if (!first_error) {
                    first_error = std::current_exception();
                }
                failed = true;
            }
        }
    };

    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(threads - 1));
    for (int worker = 1; worker < threads; ++worker) {
        pool.emplace_back(work, worker);
    }
    work(0);
    for (auto& thread : pool) {
        thread.join();
    }
    if (first_error) {
        std::rethrow_exception(first_error);
    }
}

}  // namespace uadscope
