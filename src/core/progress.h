#pragma once

// Progress reporting for long loops: a redrawn bar on a terminal, otherwise a log line
// every 10 percent. Thread-safe: workers call advance() concurrently.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace uadscope {

class Progress {
  public:
    Progress(std::string label, std::size_t total);
    ~Progress();  // finishes the bar
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void advance(std::size_t count = 1);
    void finish();

  private:
    void draw(std::size_t done, bool final);

    std::string label_;
    std::size_t total_;
    std::atomic<std::size_t> done_{0};
    std::mutex mutex_;
    bool terminal_;
    bool finished_ = false;
    std::size_t last_logged_decile_ = 0;
    std::size_t last_logged_done_ = 0;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace uadscope
