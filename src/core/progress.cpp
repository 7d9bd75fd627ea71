#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

#include "core/log.h"

namespace uadscope {

Progress::Progress(std::string label, std::size_t total)
    : label_(std::move(label)),
      total_(total),
      terminal_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
    finish();
}

void Progress::advance(std::size_t count) {
    const std::size_t done = done_.fetch_add(count) + count;
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (lock.owns_lock()) {
        draw(done, false);
    }
}

void Progress::finish() {
    std::lock_guard lock(mutex_);
    if (finished_) {
        return;
    }
    finished_ = true;
    draw(done_.load(), true);
}

void Progress::draw(std::size_t done, bool final) {
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - start_).count();
    if (terminal_) {
        if (!final && now - last_draw_ < std::chrono::milliseconds(100)) {
            return;
        }
        last_draw_ = now;
        constexpr int width = 30;
        const double fraction =
            total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
        const int filled = static_cast<int>(fraction * width);
        std::fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu %.1fs", label_.c_str(), filled,
                     "##############################", width - filled, "", done, total_, seconds);
        if (final) {
            std::fputc('\n', stderr);
        }
        std::fflush(stderr);
        return;
    }
    const std::size_t decile = total_ ? done * 10 / total_ : 10;
    const bool new_decile = decile > last_logged_decile_;
    const bool unlogged_final = final && done != last_logged_done_;
    if (new_decile || unlogged_final) {
        last_logged_decile_ = decile;
        last_logged_done_ = done;
        spdlog::info("{}: {}/{} ({:.1f} s)", label_, done, total_, seconds);
    }
}

}  // namespace uadscope
