#include "plot/device_plot.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "plot/palette.h"
#include "plot/point_layer.h"

namespace uadscope::plot {

namespace {

using dataset::Domain;
using dataset::Label;
using dataset::Split;

// Draw-order layers, back to front; also the stream ids of their shuffles.
enum Layer : std::uint64_t { external_layer = 0, train_layer = 1, test_layer = 2 };

enum class Role { external, train, normal, anomaly, unlabelled };

Role role_of(const FileInfo& info) {
    if (info.external) {
        return Role::external;
    }
    if (info.split == Split::train) {
        return Role::train;
    }
    if (info.split == Split::test && info.label == Label::normal) {
        return Role::normal;
    }
    if (info.split == Split::test && info.label == Label::anomaly) {
        return Role::anomaly;
    }
    return Role::unlabelled;
}

// Shadows are this many times the test marker radius, at least min_shadow_radius points.
constexpr double shadow_scale = 3.0;
constexpr double min_shadow_radius = 2.4;
constexpr double test_marker_scale = 0.6;

double shadow_alpha(std::size_t train_points) {
    return std::clamp(0.3 * std::sqrt(1000.0 / std::max(1.0, static_cast<double>(train_points))),
                      0.05, 0.3);
}

// Colour family and test marker of each domain present in the map.
struct DomainLook {
    Rgb family;
    Marker marker;
    std::string name;  // "source", "target", or empty when the dataset has no domains
};

std::map<Domain, DomainLook> domain_looks(const std::set<Domain>& present) {
    const bool has_source = present.contains(Domain::source);
    const bool has_target = present.contains(Domain::target);
    std::map<Domain, DomainLook> looks;
    looks[Domain::source] = {source_colour(), Marker::circle, "source"};
    looks[Domain::target] = {target_colour(), Marker::triangle, "target"};
    if (has_source || has_target) {
        looks[Domain::unknown] = {unknown_domain_colour(), Marker::square, "unknown domain"};
    } else {
        looks[Domain::unknown] = {source_colour(), Marker::circle, ""};
    }
    return looks;
}

std::string class_label(const DomainLook& look, int section) {
    const std::string section_text = section_label(section);
    return look.name.empty() ? section_text : look.name + ", " + section_text;
}

}  // namespace

PlotLayout write_device_plot(const PlotInput& input, const PlotOptions& options,
                             const std::filesystem::path& output) {
    options.validate();
    input.validate();
    const std::size_t n = input.points();

    // Classes and counts.
    std::set<Domain> domains;
    std::set<std::string> device_names;
    std::map<Domain, std::set<int>> sections_by_domain;
    std::map<std::pair<Domain, int>, std::int64_t> train_counts;
    std::map<std::pair<Domain, int>, std::array<std::int64_t, 2>> test_counts;
    std::map<std::string, std::int64_t> externals;
    std::array<std::int64_t, 5> role_counts{};
    for (std::size_t i = 0; i < n; ++i) {
        const FileInfo& info = input.file_of(i);
        const Role role = role_of(info);
        ++role_counts[static_cast<std::size_t>(role)];
        if (role == Role::external) {
            ++externals[info.dataset];
            continue;
        }
        device_names.insert(info.device);
        if (role == Role::unlabelled) {
            continue;
        }
        domains.insert(info.domain);
        sections_by_domain[info.domain].insert(info.section);
        if (role == Role::train) {
            ++train_counts[{info.domain, info.section}];
        } else {
            ++test_counts[{info.domain, info.section}][role == Role::normal ? 0 : 1];
        }
    }
    const auto looks = domain_looks(domains);
    std::map<std::pair<Domain, int>, Rgb> shades;
    for (const auto& [domain, sections] : sections_by_domain) {
        const auto family = section_shades(looks.at(domain).family, sections.size());
        std::size_t s = 0;
        for (const int section : sections) {
            shades[{domain, section}] = family[s++];
        }
    }
    const std::vector<Rgb> greys = external_greys(externals.size());
    const std::int64_t train_total = role_counts[static_cast<std::size_t>(Role::train)];
    const std::int64_t normal_total = role_counts[static_cast<std::size_t>(Role::normal)];
    const std::int64_t anomaly_total = role_counts[static_cast<std::size_t>(Role::anomaly)];
    const std::int64_t unlabelled_total = role_counts[static_cast<std::size_t>(Role::unlabelled)];
    const std::int64_t external_total = role_counts[static_cast<std::size_t>(Role::external)];

    // Legend.
    Legend legend;
    if (!train_counts.empty()) {
        legend.add_header("Training data (shadows)");
        for (const auto& [key, count] : train_counts) {
            legend.add_entry({Marker::circle, 4.2, {shades.at(key), 0.45}},
                             class_label(looks.at(key.first), key.second), format_count(count));
        }
        legend.add_gap();
    }
    if (!test_counts.empty()) {
        legend.add_header("Test data (normal / anomaly)");
        for (const auto& [key, counts] : test_counts) {
            const DomainLook& look = looks.at(key.first);
            legend.add_entry({look.marker, 3, {shades.at(key), 1}}, class_label(look, key.second),
                             format_count(counts[0]) + " / " + format_count(counts[1]));
        }
        legend.add_gap();
    }
    if (!externals.empty()) {
        legend.add_header("External data");
        std::size_t grey_index = 0;
        for (const auto& [name, count] : externals) {
            legend.add_entry({Marker::circle, 3, {greys[grey_index++], 1}}, name,
                             format_count(count));
        }
        legend.add_gap();
    }
    if (sections_by_domain.size() > 0) {
        legend.add_note("Shades: sections, darkest first.");
    }
    if (unlabelled_total > 0) {
        legend.add_note(format_count(unlabelled_total) +
                        " points without a normal or anomaly test label are not drawn.");
    }
    legend.add_note(std::string(externals.empty() ? "Draw order: training, then test"
                                                  : "Draw order: external, training, test") +
                    "; shuffled within each (seed " + std::to_string(options.seed) + ").");

    // Both frames share the axes: the bounds of every point of the map.
    const DataBounds bounds = data_bounds(input.embedding);
    const PagePlan plan =
        plan_page(device_plot_width, device_plot_height, 2, true, bounds, legend, 130);
    const PageLayout& page = plan.page;
    const std::array<Rect, 2> frames = {plan.frames[0], plan.frames[1]};
    Canvas canvas = make_canvas(output, device_plot_width, plan.height_inches, options);

    // Marker sizes: test markers sized for the larger of the two panels' test sets.
    const double panel_area = frames[0].width * frames[0].height;
    const auto test_points = static_cast<std::size_t>(std::max(normal_total, anomaly_total));
    // Test markers are smaller than a lone scatter's, so that the shadows stay visible.
    const double test_radius =
        std::max(0.45, test_marker_scale * point_radius(test_points, panel_area));
    const double test_alpha = std::max(0.5, point_alpha(test_points));
    const double shadow_radius = std::max(min_shadow_radius, shadow_scale * test_radius);
    const double train_alpha = shadow_alpha(static_cast<std::size_t>(train_total));
    const double external_radius =
        std::min(test_radius, point_radius(static_cast<std::size_t>(external_total), panel_area));
    const double external_alpha = point_alpha(static_cast<std::size_t>(external_total));

    // The right panel is the left one moved by whole pixels, so both have the same size and
    // scale.
    const PixelRect left_panel = canvas.to_pixels(frames[0]);
    PixelRect right_panel = left_panel;
    right_panel.x = canvas.to_pixels(frames[1]).x;
    const std::array<PanelTransform, 2> transforms = {PanelTransform(bounds, left_panel),
                                                      PanelTransform(bounds, right_panel)};

    // Layers, each shuffled once and shared by both panels.
    std::array<std::vector<std::uint32_t>, 3> layers;
    std::array<std::vector<std::uint32_t>, 2> test_by_panel;
    for (std::size_t i = 0; i < n; ++i) {
        const Role role = role_of(input.file_of(i));
        const auto index = static_cast<std::uint32_t>(i);
        if (role == Role::external) {
            layers[external_layer].push_back(index);
        } else if (role == Role::train) {
            layers[train_layer].push_back(index);
        } else if (role == Role::normal || role == Role::anomaly) {
            layers[test_layer].push_back(index);
        }
    }
    for (std::uint64_t layer = 0; layer < layers.size(); ++layer) {
        shuffle_layer(layers[layer], options.seed, layer);
    }
    for (const std::uint32_t i : layers[test_layer]) {
        test_by_panel[role_of(input.file_of(i)) == Role::normal ? 0 : 1].push_back(i);
    }

    std::vector<PointLayer> panel_layers;
    for (int p = 0; p < 2; ++p) {
        const PanelTransform& transform = transforms[static_cast<std::size_t>(p)];
        PointLayer layer(transform.panel());
        std::map<std::string, std::uint16_t> external_styles;
        std::size_t grey_index = 0;
        for (const auto& [name, count] : externals) {
            external_styles[name] = layer.add_style(
                {Marker::circle, external_radius, {greys[grey_index++], external_alpha}});
        }
        std::map<std::pair<Domain, int>, std::uint16_t> shadow_styles;
        std::map<std::pair<Domain, int>, std::uint16_t> test_styles;
        for (const auto& [key, shade] : shades) {
            shadow_styles[key] =
                layer.add_style({Marker::circle, shadow_radius, {shade, train_alpha}});
            test_styles[key] =
                layer.add_style({looks.at(key.first).marker, test_radius, {shade, test_alpha}});
        }
        // Style of each manifest file (external, shadow or test marker), looked up once
        // instead of once per point.
        std::vector<std::uint16_t> file_style(input.files.size(), 0);
        for (std::size_t f = 0; f < input.files.size(); ++f) {
            const FileInfo& info = input.files[f];
            const Role role = role_of(info);
            if (role == Role::external) {
                if (const auto found = external_styles.find(info.dataset);
                    found != external_styles.end()) {
                    file_style[f] = found->second;
                }
                continue;
            }
            const auto& styles = role == Role::train ? shadow_styles : test_styles;
            if (const auto found = styles.find({info.domain, info.section});
                found != styles.end()) {
                file_style[f] = found->second;
            }
        }
        for (const auto* points : {&layers[external_layer], &layers[train_layer],
                                   &test_by_panel[static_cast<std::size_t>(p)]}) {
            for (const std::uint32_t i : *points) {
                layer.add(transform.x_pixel(input.embedding[2 * i]),
                          transform.y_pixel(input.embedding[2 * i + 1]),
                          file_style[static_cast<std::size_t>(input.file[i])]);
            }
        }
        panel_layers.push_back(std::move(layer));
    }
    const std::size_t markers = panel_layers[0].size() + panel_layers[1].size();
    const bool vector = use_vector_points(canvas, markers, options);
    for (int p = 0; p < 2; ++p) {
        const auto& layer = panel_layers[static_cast<std::size_t>(p)];
        layer.draw(canvas, vector, options.threads);
        const std::int64_t tests = p == 0 ? normal_total : anomaly_total;
        if (n == 0) {
            draw_panel_note(canvas, layer.panel(), "No points in this map");
        } else if (tests == 0) {
            draw_panel_note(canvas, layer.panel(),
                            p == 0 ? "No normal test data" : "No anomalous test data");
        }
        draw_axes(canvas, transforms[static_cast<std::size_t>(p)],
                  {true, p == 0, "UMAP 1", p == 0 ? "UMAP 2" : ""});
    }
    draw_panel_title(canvas, frames[0], "Normal test data (" + format_count(normal_total) + ")");
    draw_panel_title(canvas, frames[1],
                     "Anomalous test data (" + format_count(anomaly_total) + ")");

    // Title.
    std::string devices_text;
    for (const auto& name : device_names) {
        devices_text += (devices_text.empty() ? "" : ", ") + name;
    }
    std::string title = (devices_text.empty() ? std::string("Device plot") : devices_text) + ": " +
                        describe_map(input.map);
    std::string subtitle =
        "scope " + (input.map.scope.empty() ? std::string("?") : input.map.scope) + "  \u00b7  " +
        format_count(static_cast<std::int64_t>(n)) + " points: " + format_count(train_total) +
        " training, " + format_count(normal_total + anomaly_total + unlabelled_total) + " test";
    if (external_total > 0) {
        subtitle += ", " + format_count(external_total) + " external";
    }
    if (input.map.seed) {
        subtitle += "  \u00b7  UMAP seed " + std::to_string(*input.map.seed);
    }
    subtitle += "  \u00b7  draw-order seed " + std::to_string(options.seed);
    draw_title(canvas, page.title, title, subtitle);
    const Rect legend_area = draw_legend(canvas, legend, page.legend);

    PlotLayout layout;
    layout.width_pixels = canvas.width_pixels();
    layout.height_pixels = canvas.height_pixels();
    layout.title = canvas.to_pixels(page.title);
    layout.panels = {transforms[0], transforms[1]};
    layout.legend = canvas.to_pixels(legend_area);
    layout.drawn_points = static_cast<std::int64_t>(markers);
    layout.raster_points = !vector && markers > 0;
    write_canvas(canvas, output);
    return layout;
}

}  // namespace uadscope::plot
