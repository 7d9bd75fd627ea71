// `uadscope index DATASET... -o WORK`: names every audio file and writes WORK/manifest.csv.

#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/error.h"
#include "pipeline/index_stage.h"

namespace uadscope::cli {
namespace {

int run_index(int argc, char** argv) {
    CLI::App app{
        "Scan dataset folders, name every audio file (.wav, .flac, .ogg) with a naming scheme "
        "and write WORK/manifest.csv and WORK/skipped.csv"};
    pipeline::IndexOptions options;
    std::string work;
    app.add_option("DATASET", options.datasets,
                   "Dataset folders, as DIR or NAME=DIR (NAME defaults to the folder name)");
    app.add_option("-o,--output", work, "Workspace folder; created when missing")->required();
    app.add_option("--scheme", options.schemes,
                   "Naming schemes to try, comma-separated: dcase2020, dcase2021, dcase2022 "
                   "(2022 to 2025), eval, mimii, idmt-engine, or auto for all of them")
        ->capture_default_str();
    app.add_option("--external", options.externals,
                   "NAME=DIR: every audio file below DIR is an unlabelled record of dataset "
                   "NAME (repeatable)");
    app.add_option("-j,--jobs", options.jobs, "Threads reading audio headers (0: one per core)")
        ->capture_default_str();
    if (const auto code = parse_arguments(app, argc, argv)) {
        return *code;
    }
    options.workspace = work;

    const pipeline::IndexResult result = pipeline::run_index(options);
    std::fputs(result.summary.c_str(), stdout);
    return static_cast<int>(result.exit_code());
}

const CommandRegistration registration(
    {"index", "Name every audio file of the datasets and write WORK/manifest.csv", 10, run_index});

}  // namespace
}  // namespace uadscope::cli
