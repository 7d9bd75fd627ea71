// `uadscope report WORK`: writes WORK/report.html.

#include <cstdio>

#include "cli/command.h"
#include "core/error.h"
#include "pipeline/report.h"

namespace uadscope::cli {
namespace {

int run_report(int argc, char** argv) {
    CLI::App app{"Write WORK/report.html, an index of the workspace that opens from disk"};
    std::string work;
    app.add_option("WORK", work, "Workspace folder")->required();
    if (auto code = parse_arguments(app, argc, argv)) {
        return *code;
    }
    const auto result = pipeline::write_report(work);
    std::printf("report: %s (%d maps, %d plots, %d metric files)%s\n", result.path.string().c_str(),
                result.maps, result.plots, result.metric_files,
                result.written ? "" : ", unchanged");
    return static_cast<int>(ExitCode::ok);
}

const CommandRegistration registration({"report", "Write report.html for a workspace", 60,
                                        run_report});

}  // namespace
}  // namespace uadscope::cli
