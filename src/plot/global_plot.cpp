#include "plot/global_plot.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <map>
#include <set>

#include "plot/palette.h"
#include "plot/point_layer.h"

namespace uadscope::plot {

namespace {

// Draw-order layers, also the stream ids of their shuffles.
enum Layer : std::uint64_t { external_layer = 0, machine_layer = 1 };

struct DeviceClass {
    Rgb hue;
    std::vector<int> sections;  // sorted
    std::vector<Rgb> shades;    // per section
    std::int64_t count = 0;
};

}  // namespace

PlotLayout write_global_plot(const PlotInput& input, const PlotOptions& options,
                             const std::filesystem::path& output) {
    options.validate();
    input.validate();
    const std::size_t n = input.points();

    // Classes: devices in name order with their sections, external datasets in name order.
    std::map<std::string, DeviceClass> devices;
    std::map<std::string, std::int64_t> externals;
    std::map<std::pair<std::string, int>, std::int64_t> section_counts;
    for (std::size_t i = 0; i < n; ++i) {
        const FileInfo& info = input.file_of(i);
        if (info.external) {
            ++externals[info.dataset];
        } else {
            ++devices[info.device].count;
            ++section_counts[{info.device, info.section}];
        }
    }
    std::size_t device_index = 0;
    for (auto& [name, device] : devices) {
        device.hue = device_colour(device_index++);
        for (const auto& [key, count] : section_counts) {
            if (key.first == name) {
                device.sections.push_back(key.second);
            }
        }
        device.shades = section_shades(device.hue, device.sections.size());
    }
    if (devices.size() > device_colour_count()) {
        spdlog::warn("global plot of map '{}': {} devices share {} colours", input.map.name,
                     devices.size(), device_colour_count());
    }
    const std::vector<Rgb> greys = external_greys(externals.size());

    // Legend.
    Legend legend;
    if (!devices.empty()) {
        legend.add_header("Devices");
    }
    for (const auto& [name, device] : devices) {
        legend.add_entry({Marker::circle, 3, {device.hue, 1}}, name, format_count(device.count));
        const bool only_no_section = device.sections.size() == 1 && device.sections[0] < 0;
        if (!only_no_section) {
            std::vector<std::pair<Rgb, std::string>> swatches;
            for (std::size_t s = 0; s < device.sections.size(); ++s) {
                const int section = device.sections[s];
                swatches.emplace_back(device.shades[s],
                                      section < 0 ? "none" : section_label(section).substr(8));
            }
            legend.add_swatches(std::move(swatches));
        }
    }
    if (!externals.empty()) {
        legend.add_gap();
        legend.add_header("External data");
        std::size_t grey_index = 0;
        for (const auto& [name, count] : externals) {
            legend.add_entry({Marker::circle, 3, {greys[grey_index++], 1}}, name,
                             format_count(count));
        }
    }
    legend.add_gap();
    if (!devices.empty()) {
        legend.add_note("Shades: sections, darkest first.");
    }
    legend.add_note("Draw order shuffled (seed " + std::to_string(options.seed) + ")" +
                    (externals.empty() ? "." : "; external data behind the devices."));
    const DataBounds bounds = data_bounds(input.embedding);
    const PagePlan plan =
        plan_page(global_plot_width, global_plot_height, 1, false, bounds, legend, 120);
    const PageLayout& page = plan.page;
    const Rect& frame = plan.frames[0];
    Canvas canvas = make_canvas(output, global_plot_width, plan.height_inches, options);

    // Points.
    const PixelRect panel = canvas.to_pixels(frame);
    const PanelTransform transform(bounds, panel);
    const double panel_area = frame.width * frame.height;
    const std::size_t machine_points = n - [&] {
        std::int64_t total = 0;
        for (const auto& [name, count] : externals) {
            total += count;
        }
        return static_cast<std::size_t>(total);
    }();
    const double radius = point_radius(n, panel_area);
    const double alpha = point_alpha(n);

    PointLayer layer(panel);
    std::map<std::pair<std::string, int>, std::uint16_t> machine_styles;
    for (const auto& [name, device] : devices) {
        for (std::size_t s = 0; s < device.sections.size(); ++s) {
            machine_styles[{name, device.sections[s]}] =
                layer.add_style({Marker::circle, radius, {device.shades[s], alpha}});
        }
    }
    std::map<std::string, std::uint16_t> external_styles;
    {
        std::size_t grey_index = 0;
        for (const auto& [name, count] : externals) {
            external_styles[name] =
                layer.add_style({Marker::circle, radius, {greys[grey_index++], alpha}});
        }
    }
    // Style of each manifest file, looked up once instead of once per point.
    std::vector<std::uint16_t> file_style(input.files.size(), 0);
    for (std::size_t f = 0; f < input.files.size(); ++f) {
        const FileInfo& info = input.files[f];
        if (info.external) {
            if (const auto found = external_styles.find(info.dataset);
                found != external_styles.end()) {
                file_style[f] = found->second;
            }
        } else if (const auto found = machine_styles.find({info.device, info.section});
                   found != machine_styles.end()) {
            file_style[f] = found->second;
        }
    }
    auto add_point = [&](std::uint32_t i) {
        layer.add(transform.x_pixel(input.embedding[2 * i]),
                  transform.y_pixel(input.embedding[2 * i + 1]),
                  file_style[static_cast<std::size_t>(input.file[i])]);
    };

    std::vector<std::uint32_t> external_points;
    std::vector<std::uint32_t> device_points;
    external_points.reserve(n - machine_points);
    device_points.reserve(machine_points);
    for (std::size_t i = 0; i < n; ++i) {
        (input.file_of(i).external ? external_points : device_points)
            .push_back(static_cast<std::uint32_t>(i));
    }
    shuffle_layer(external_points, options.seed, external_layer);
    shuffle_layer(device_points, options.seed, machine_layer);
    for (const std::uint32_t i : external_points) {
        add_point(i);
    }
    for (const std::uint32_t i : device_points) {
        add_point(i);
    }
    const bool vector = use_vector_points(canvas, layer.size(), options);
    layer.draw(canvas, vector, options.threads);
    if (n == 0) {
        draw_panel_note(canvas, panel, "No points in this map");
    }
    draw_axes(canvas, transform, {true, true, "UMAP 1", "UMAP 2"});

    // Title and legend.
    std::string subtitle = "scope " +
                           (input.map.scope.empty() ? std::string("global") : input.map.scope) +
                           "  \u00b7  " + format_count(static_cast<std::int64_t>(n)) + " points";
    if (machine_points != n) {
        subtitle +=
            " (" + format_count(static_cast<std::int64_t>(n - machine_points)) + " external)";
    }
    subtitle += "  \u00b7  " + std::to_string(devices.size()) +
                (devices.size() == 1 ? " device" : " devices");
    if (input.map.seed) {
        subtitle += "  \u00b7  UMAP seed " + std::to_string(*input.map.seed);
    }
    subtitle += "  \u00b7  draw-order seed " + std::to_string(options.seed);
    draw_title(canvas, page.title, "Global map: " + describe_map(input.map), subtitle);
    const Rect legend_area = draw_legend(canvas, legend, page.legend);

    PlotLayout layout;
    layout.width_pixels = canvas.width_pixels();
    layout.height_pixels = canvas.height_pixels();
    layout.title = canvas.to_pixels(page.title);
    layout.panels = {transform};
    layout.legend = canvas.to_pixels(legend_area);
    layout.drawn_points = static_cast<std::int64_t>(layer.size());
    layout.raster_points = !vector && layer.size() > 0;
    write_canvas(canvas, output);
    return layout;
}

}  // namespace uadscope::plot
