#include "core/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "core/error.h"

namespace uadscope {

namespace fs = std::filesystem;

AtomicFile::AtomicFile(fs::path final_path) : final_path_(std::move(final_path)) {
    if (final_path_.has_parent_path()) {
        fs::create_directories(final_path_.parent_path());
    }
    temp_path_ = final_path_;
    temp_path_ += ".tmp-" + std::to_string(::getpid());
}

AtomicFile::~AtomicFile() {
    if (!committed_) {
        std::error_code ignored;
        fs::remove(temp_path_, ignored);
    }
}

void AtomicFile::commit() {
    const int fd = ::open(temp_path_.c_str(), O_RDONLY);
    if (fd < 0) {
        throw Error("cannot open '" + temp_path_.string() +
                    "' to commit it: " + std::strerror(errno));
    }
    ::fsync(fd);
    ::close(fd);
    std::error_code error;
    fs::rename(temp_path_, final_path_, error);
    if (error) {
        throw Error("cannot rename '" + temp_path_.string() + "' to '" + final_path_.string() +
                    "': " + error.message());
    }
    committed_ = true;
}

void write_file_atomic(const fs::path& path, std::string_view contents) {
    AtomicFile file(path);
    {
        std::ofstream out(file.temp_path(), std::ios::binary);
        out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
        out.close();
        if (!out) {
            throw Error("cannot write '" + file.temp_path().string() +
                        "': check free disk space and permissions");
        }
    }
    file.commit();
}

bool write_file_if_changed(const fs::path& path, std::string_view contents) {
    std::error_code error;
    if (fs::exists(path, error) && fs::file_size(path, error) == contents.size() &&
        read_file(path) == contents) {
        return false;
    }
    write_file_atomic(path, contents);
    return true;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error("cannot open '" + path.string() + "': " + std::strerror(errno));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

void remove_stale_temp_files(const fs::path& folder) {
    std::error_code error;
    if (!fs::is_directory(folder, error)) {
        return;
    }
    for (const auto& entry : fs::directory_iterator(folder, error)) {
        const std::string name = entry.path().filename().string();
        const auto at = name.rfind(".tmp-");
        if (at == std::string::npos) {
            continue;
        }
        // A file whose writer is still running (another uadscope process on the same
        // workspace) is not a leftover.
        const std::string pid_text = name.substr(at + 5);
        char* end = nullptr;
        const long pid = std::strtol(pid_text.c_str(), &end, 10);
        const bool alive = !pid_text.empty() && *end == '\0' && pid > 0 && pid != ::getpid() &&
                           (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
        if (!alive) {
            fs::remove(entry.path(), error);
        }
    }
}

}  // namespace uadscope
