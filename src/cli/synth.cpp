// `uadscope synth DIR`: writes the built-in demo dataset of synthetic machine sounds in the
// DCASE 2021 layout (docs/demo-data.md).

#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/error.h"
#include "synth/generate.h"

namespace uadscope::cli {
namespace {

int run_synth(int argc, char** argv) {
    CLI::App app{
        "Write a deterministic demo dataset of synthetic fan, pump and valve sounds in the "
        "DCASE 2021 layout, with ground truth in DIR/synth.json (see docs/demo-data.md)"};
    synth::SynthOptions options;
    std::string output_dir;
    std::vector<std::string> machine_names;
    for (const synth::Machine machine : options.machines) {
        machine_names.emplace_back(synth::to_string(machine));
    }
    app.add_option("DIR", output_dir, "Output folder; created when missing")->required();
    app.add_option("--seed", options.seed, "Seed of every random draw")->capture_default_str();
    app.add_option("--clips", options.clips,
                   "Normal source-domain training clips per section (1 to 1000); target "
                   "training clips are max(1, round(0.3 clips)) and each test folder holds "
                   "ceil(clips / 2) normal and as many anomalous clips per section")
        ->capture_default_str();
    app.add_option("--seconds", options.seconds, "Length of every clip in seconds (1 to 60)")
        ->capture_default_str();
    app.add_option("--machines", machine_names, "Machine types, comma-separated")
        ->delimiter(',')
        ->capture_default_str();
    app.add_option("-j,--jobs", options.jobs,
                   "Threads (0: one per core); the output is the same for any thread count")
        ->capture_default_str();
    if (const auto code = parse_arguments(app, argc, argv)) {
        return *code;
    }

    options.output_dir = output_dir;
    options.machines.clear();
    for (const std::string& name : machine_names) {
        const auto machine = synth::parse_machine(name);
        if (!machine) {
            throw UsageError("unknown machine type '" + name +
                             "' in --machines; use fan, pump "
                             "or valve");
        }
        options.machines.push_back(*machine);
    }
    try {
        synth::validate_options(options);
    } catch (const Error& error) {
        throw UsageError(error.what());
    }

    const synth::SynthSummary summary = synth::generate_dataset(options);
    std::printf(
        "synth: %zu files in %s (%zu written, %zu unchanged, %zu failed, %zu stale "
        "removed)\n",
        summary.files, output_dir.c_str(), summary.written, summary.unchanged, summary.failed,
        summary.removed);
    return static_cast<int>(summary.failed > 0 ? ExitCode::partial : ExitCode::ok);
}

const CommandRegistration registration({"synth",
                                        "Write a synthetic demo dataset (fan, pump, "
                                        "valve) in the DCASE 2021 layout",
                                        900, run_synth});

}  // namespace
}  // namespace uadscope::cli
