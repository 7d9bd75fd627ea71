#pragma once

// Atomic output: write under a temporary name in the same folder, then rename.
//
// A crash or kill before commit() leaves at most a "<name>.tmp-<pid>" file, never a
// half-written file under the final name; rename() within one file system is atomic.

#include <filesystem>
#include <string_view>

namespace uadscope {

class AtomicFile {
  public:
    // Creates the parent folder if needed. Nothing is written until the caller writes to
    // temp_path().
    explicit AtomicFile(std::filesystem::path final_path);
    ~AtomicFile();  // removes the temporary file unless committed
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    const std::filesystem::path& temp_path() const { return temp_path_; }
    const std::filesystem::path& final_path() const { return final_path_; }

    // Flushes the temporary file to disk and renames it to the final name.
    void commit();

  private:
    std::filesystem::path final_path_;
    std::filesystem::path temp_path_;
    bool committed_ = false;
};

// Writes `contents` to `path` atomically.
void write_file_atomic(const std::filesystem::path& path, std::string_view contents);

// Writes `contents` to `path` atomically unless the file already holds exactly these bytes,
// so that reruns leave unchanged outputs untouched. Returns true when it wrote.
bool write_file_if_changed(const std::filesystem::path& path, std::string_view contents);

// Reads a whole file; throws Error naming the file when it cannot be read.
std::string read_file(const std::filesystem::path& path);

// Removes "*.tmp-<pid>" leftovers of killed runs under `folder` (not recursive).
void remove_stale_temp_files(const std::filesystem::path& folder);

}  // namespace uadscope
