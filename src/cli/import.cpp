// `uadscope import WORK --name NAME --from SOURCE --hop SECONDS`: brings in embeddings
// computed elsewhere as WORK/features/NAME.h5.

#include <cstdio>
#include <string>

#include "cli/command.h"
#include "core/error.h"
#include "pipeline/import_stage.h"

namespace uadscope::cli {
namespace {

// Problems printed per list; the feature file's file_status has every one.
constexpr std::size_t max_listed = 100;

void print_list(const char* title, const std::vector<std::pair<std::string, std::string>>& items) {
    if (items.empty()) {
        return;
    }
    std::printf("%s (%zu):\n", title, items.size());
    for (std::size_t i = 0; i < items.size() && i < max_listed; ++i) {
        std::printf("  %s: %s\n", items[i].first.c_str(), items[i].second.c_str());
    }
    if (items.size() > max_listed) {
        std::printf("  ... and %zu more\n", items.size() - max_listed);
    }
}

int run_import(int argc, char** argv) {
    CLI::App app{
        "Import embeddings computed elsewhere (OpenL3, PANNs, BEATs, ...) into "
        "WORK/features/NAME.h5: a folder of .npy files [frames, dims], one per audio file and "
        "named after it, or one HDF5 file in the 2021 paper scripts' layout"};
    pipeline::ImportOptions options;
    std::string work;
    std::string source;
    app.add_option("WORK", work, "Workspace folder made by uadscope index")->required();
    app.add_option("--name", options.name,
                   "Representation name, used as --rep by later stages (e.g. openl3)")
        ->required();
    app.add_option("--from", source, "Folder of .npy files (searched recursively) or an .h5 file")
        ->required();
    app.add_option("--hop", options.hop_seconds, "Seconds between consecutive embedding frames")
        ->required();
    app.add_option("-j,--jobs", options.jobs, "Threads checking .npy files (0: one per core)")
        ->capture_default_str();
    if (const auto code = parse_arguments(app, argc, argv)) {
        return *code;
    }
    options.workspace = work;
    options.source = source;
    options.tool_version = "uadscope " UADSCOPE_VERSION;

    const pipeline::ImportResult result = pipeline::run_import(options);
    std::printf("import: wrote %s (%zu of %zu files, %lld dims, hop %g s)\n",
                result.output.string().c_str(), result.imported, result.files,
                static_cast<long long>(result.dims), options.hop_seconds);
    print_list("manifest files without an embedding", result.missing);
    print_list("embeddings not imported", result.rejected);
    return static_cast<int>(result.exit_code());
}

const CommandRegistration registration(
    {"import", "Import embeddings computed elsewhere (.npy files or paper-layout HDF5)", 21,
     run_import});

}  // namespace
}  // namespace uadscope::cli
