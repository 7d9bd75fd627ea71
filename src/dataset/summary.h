#pragma once

// The text summary that `uadscope index` prints: file counts per device, section, domain,
// split and label, a table per (dataset, device, section, split, domain), and the files that
// were skipped or whose audio header could not be read, with the reasons.

#include <cstddef>
#include <string>
#include <vector>

#include "dataset/record.h"
#include "dataset/scan.h"

namespace uadscope::dataset {

// Lists at most `max_listed` skipped and `max_listed` unreadable files, each list followed
// by the count of the files left out.
std::string format_index_summary(const std::vector<FileRecord>& records,
                                 const std::vector<SkippedFile>& skipped,
                                 std::size_t max_listed = 50);

}  // namespace uadscope::dataset
