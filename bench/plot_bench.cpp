// Time to draw the global, device and section plots of synthetic maps of growing size, as PNG
// and SVG, with the size of each file.
//
// Usage: plot_bench [--points N,N,...] [--dpi D] [--jobs J] [--keep DIR]
// Defaults: --points 10000,100000,1000000 --dpi 300 --jobs 0 (every core). The synthetic
// global map has 7 devices with 6 sections each as Gaussian clusters, source and target
// domains, 60 % training and 40 % test points (half of the test points anomalous), plus 10 %
// external points. The device and section plots get a map of one device with as many points. Prints
// one table row per (plot, points, format). Files go to a temporary folder, removed unless --keep
// is given.

#include <unistd.h>
#include <cmath>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/random.h"
#include "plot/device_plot.h"
#include "plot/global_plot.h"
#include "plot/section_plot.h"

namespace {

using namespace uadscope;
using namespace uadscope::plot;

struct Arguments {
    std::vector<std::int64_t> points = {10000, 100000, 1000000};
    double dpi = default_dpi;
    int jobs = 0;
    std::string keep;
};

Arguments parse(int argc, char** argv) {
    Arguments arguments;
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        if (i + 1 >= argc) {
            throw Error(argument +
                        " needs a value; usage: plot_bench [--points N,N,...] "
                        "[--dpi D] [--jobs J] [--keep DIR]");
        }
        const std::string value = argv[++i];
        if (argument == "--points") {
            arguments.points.clear();
            std::stringstream list(value);
            std::string item;
            while (std::getline(list, item, ',')) {
                arguments.points.push_back(std::stoll(item));
            }
        } else if (argument == "--dpi") {
            arguments.dpi = std::stod(value);
        } else if (argument == "--jobs") {
            arguments.jobs = std::stoi(value);
        } else if (argument == "--keep") {
            arguments.keep = value;
        } else {
            throw Error("unknown option '" + argument + "'");
        }
    }
    return arguments;
}

// `points` points over `devices` devices of 6 sections, plus 10 % external points.
PlotInput synthetic_map(std::int64_t points, int devices, std::uint64_t seed) {
    using dataset::Domain;
    using dataset::Label;
    using dataset::Split;
    PlotInput input;
    input.map = {"bench", "log_mel", 1, devices > 1 ? "global" : "device-fan", 0};
    const std::vector<std::string> names = {"fan",    "gearbox",  "pump", "slider",
                                            "ToyCar", "ToyTrain", "valve"};
    // One file per (device, section, domain, split, label) class: enough for the plots,
    // whose colours depend on the class, not on the file count.
    struct Class {
        std::int32_t file;
        double x;
        double y;
    };
    std::vector<Class> classes;
    for (int d = 0; d < devices; ++d) {
        for (int section = 0; section < 6; ++section) {
            const double angle = 6.283 * d / devices + 0.9 * section;
            const double cx = 12 * std::cos(6.283 * d / devices) + 4 * std::cos(angle);
            const double cy = 12 * std::sin(6.283 * d / devices) + 4 * std::sin(angle);
            for (const Domain domain : {Domain::source, Domain::target}) {
                for (const auto& [split, label] :
                     {std::pair{Split::train, Label::normal}, std::pair{Split::test, Label::normal},
                      std::pair{Split::test, Label::anomaly}}) {
                    input.files.push_back({names[static_cast<std::size_t>(d) % names.size()],
                                           section, domain, split, label, false, "dev"});
                    const double shift =
                        (domain == Domain::target ? 1.5 : 0) + (label == Label::anomaly ? 0.8 : 0);
                    classes.push_back({static_cast<std::int32_t>(input.files.size() - 1),
                                       cx + shift, cy + shift});
                }
            }
        }
    }
    input.files.push_back(
        {"", -1, Domain::unknown, Split::unknown, Label::unknown, true, "audioset"});
    const auto external_file = static_cast<std::int32_t>(input.files.size() - 1);

    Rng rng(seed);
    const std::int64_t external = points / 10;
    input.embedding.reserve(static_cast<std::size_t>(2 * (points + external)));
    for (std::int64_t i = 0; i < points; ++i) {
        // Classes come in threes (training, normal test, anomalous test): 60 % of the points
        // go to a training class, 20 % to each test class.
        const auto group = static_cast<std::size_t>(rng.uniform_int(classes.size() / 3));
        const std::size_t index =
            3 * group +
            (rng.uniform01() < 0.6 ? 0 : 1 + static_cast<std::size_t>(rng.uniform_int(2)));
        const Class& c = classes[index];
        input.embedding.push_back(static_cast<float>(c.x + 0.8 * rng.normal()));
        input.embedding.push_back(static_cast<float>(c.y + 0.8 * rng.normal()));
        input.file.push_back(c.file);
        input.energy.push_back(static_cast<float>(rng.uniform01()));
    }
    for (std::int64_t i = 0; i < external; ++i) {
        input.embedding.push_back(static_cast<float>(8 * rng.normal()));
        input.embedding.push_back(static_cast<float>(8 * rng.normal()));
        input.file.push_back(external_file);
        input.energy.push_back(0);
    }
    return input;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Arguments arguments = parse(argc, argv);
        const bool keep = !arguments.keep.empty();
        const std::filesystem::path folder =
            keep ? std::filesystem::path(arguments.keep)
                 : std::filesystem::temp_directory_path() /
                       ("uadscope-plot-bench-" + std::to_string(::getpid()));
        std::filesystem::create_directories(folder);

        PlotOptions options;
        options.dpi = arguments.dpi;
        options.threads = arguments.jobs;
        std::printf("%-8s %10s %10s %6s %9s %11s %s\n", "plot", "points", "drawn", "format",
                    "seconds", "bytes", "svg points");
        for (const std::int64_t points : arguments.points) {
            const PlotInput global = synthetic_map(points, 7, 1);
            const PlotInput device = synthetic_map(points, 1, 2);
            for (const std::string plot : {"global", "device", "section"}) {
                for (const std::string format : {"png", "svg"}) {
                    const auto path = folder / (plot + "_" + std::to_string(points) + "." + format);
                    const auto start = std::chrono::steady_clock::now();
                    PlotLayout layout;
                    if (plot == "global") {
                        layout = write_global_plot(global, options, path);
                    } else if (plot == "device") {
                        layout = write_device_plot(device, options, path);
                    } else {
                        layout = write_section_plot(device, {"fan", 0}, options, path);
                    }
                    const double seconds =
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                            .count();
                    std::printf(
                        "%-8s %10lld %10lld %6s %9.2f %11lld %s\n", plot.c_str(),
                        static_cast<long long>(global.points()),
                        static_cast<long long>(layout.drawn_points), format.c_str(), seconds,
                        static_cast<long long>(std::filesystem::file_size(path)),
                        format == "png" ? "-" : (layout.raster_points ? "raster" : "vector"));
                    std::fflush(stdout);
                }
            }
        }
        if (!keep) {
            std::filesystem::remove_all(folder);
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "plot_bench: %s\n", error.what());
        return 1;
    }
    return 0;
}
