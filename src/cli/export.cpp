// `uadscope export WORK [--rep R --npy DIR | --paper FILE.h5] [--html OUT.html]`: writes one
// representation in formats other tools read, or the maps as one self-contained page.
//
// Each output format is one option and one function call below, so a new format (such as a
// static HTML export) adds an option and a call without changing the others.

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/error.h"
#include "dataset/manifest.h"
#include "pipeline/export_stage.h"
#include "pipeline/feature_file.h"
#include "pipeline/workspace.h"
#include "server/static_export.h"

namespace uadscope::cli {
namespace {

int run_export(int argc, char** argv) {
    CLI::App app{
        "Export one representation of a workspace to .npy files or to the HDF5 layout "
        "of the 2021 paper's scripts (data [dims, frames], data_idxs, metadata), or the maps "
        "and the explorer as one self-contained HTML file"};
    std::string work;
    std::string rep;
    std::optional<std::string> npy_folder;
    std::optional<std::string> paper_file;
    std::optional<std::string> html_file;
    std::vector<std::string> html_maps;
    app.add_option("WORK", work, "Workspace folder")->required();
    app.add_option("--rep", rep,
                   "Representation for --npy and --paper: log_stft, log_mel or an imported name");
    app.add_option("--npy", npy_folder,
                   "Folder for data.npy [frames, dims], file_offsets.npy, energy.npy and "
                   "files.csv");
    app.add_option("--paper", paper_file,
                   "HDF5 file in the paper scripts' layout: data float32 [dims, frames], "
                   "data_idxs int64 [2, files], metadata JSON strings");
    app.add_option("--html", html_file,
                   "One HTML file with the maps and the explorer (no audio) that opens offline");
    app.add_option("--map", html_maps,
                   "Maps to put in the HTML file (names under WORK/maps); default: all")
        ->delimiter(',');
    if (const auto code = parse_arguments(app, argc, argv)) {
        return *code;
    }
    if (!npy_folder && !paper_file && !html_file) {
        throw UsageError("nothing to export: give --npy DIR, --paper FILE.h5 or --html OUT.html");
    }
    for (const auto& output : {npy_folder, paper_file, html_file}) {
        if (output) {
            pipeline::check_export_path(work, *output);
        }
    }
    if (html_file) {
        server::ExportHtmlOptions options;
        options.maps = html_maps;
        server::export_html(work, *html_file, options);
        std::printf("export: wrote %s\n", html_file->c_str());
        if (!npy_folder && !paper_file) {
            return static_cast<int>(ExitCode::ok);
        }
    }
    if (rep.empty()) {
        throw UsageError("--npy and --paper need --rep");
    }
    pipeline::validate_rep_name(rep);

    const pipeline::Workspace workspace(work);
    const dataset::Manifest manifest = dataset::read_manifest(workspace.manifest());
    const pipeline::FeatureFile features =
        pipeline::open_workspace_features(workspace.root(), rep, manifest);

    if (npy_folder) {
        for (const auto& path : pipeline::export_npy(features, manifest, *npy_folder)) {
            std::printf("export: wrote %s\n", path.string().c_str());
        }
    }
    if (paper_file) {
        pipeline::export_paper(features, manifest, *paper_file);
        std::printf("export: wrote %s\n", paper_file->c_str());
    }
    return static_cast<int>(ExitCode::ok);
}

const CommandRegistration registration(
    {"export", "Export features to .npy or the 2021 paper's HDF5 layout, or maps to HTML", 70,
     run_export});

}  // namespace
}  // namespace uadscope::cli
