#include "plot/section_plot.h"

#include <algorithm>
#include <map>
#include <numeric>

#include "plot/palette.h"
#include "plot/point_layer.h"

namespace uadscope::plot {

namespace {

constexpr std::uint64_t file_layer = 0;
constexpr double cross_radius = 6;  // points
constexpr double cross_halo = 1.6;  // points of white around the cross

void draw_cross(Canvas& canvas, double x, double y, double radius) {
    cairo_t* cr = canvas.context();
    draw_marker(cr, {Marker::cross, radius + cross_halo, {{1, 1, 1}, 0.9}}, x, y);
    draw_marker(cr, {Marker::cross, radius, {{0, 0, 0}, 1}}, x, y);
}

}  // namespace

std::optional<SectionCross> section_cross(std::span<const float> embedding,
                                          std::span<const float> energy,
                                          std::span<const std::uint32_t> points,
                                          std::int64_t exclude, std::int64_t average) {
    const auto count = static_cast<std::int64_t>(points.size());
    if (count == 0 || average < 1 || exclude < 0) {
        return std::nullopt;
    }
    std::int64_t excluded = exclude;
    std::int64_t averaged = average;
    if (count < exclude + average) {
        excluded = count * exclude / (exclude + average);
        averaged = count - excluded;
    }
    std::vector<std::uint32_t> order(points.begin(), points.end());
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return energy[a] < energy[b] || (energy[a] == energy[b] && a < b);
    });
    double x = 0;
    double y = 0;
    for (std::int64_t rank = excluded; rank < excluded + averaged; ++rank) {
        const std::uint32_t i = order[static_cast<std::size_t>(rank)];
        x += embedding[2 * static_cast<std::size_t>(i)];
        y += embedding[2 * static_cast<std::size_t>(i) + 1];
    }
    return SectionCross{x / static_cast<double>(averaged), y / static_cast<double>(averaged),
                        excluded, averaged};
}

PlotLayout write_section_plot(const PlotInput& input, const SectionKey& section,
                              const PlotOptions& options, const std::filesystem::path& output) {
    options.validate();
    input.validate();

    // The section's points and files; files get colours in file-id order.
    std::vector<std::uint32_t> points;
    std::map<std::int32_t, std::size_t> file_rank;
    std::array<std::int64_t, 3> split_counts{};  // train, test normal/anomaly/unknown, other
    std::int64_t anomaly_points = 0;
    for (std::size_t i = 0; i < input.points(); ++i) {
        const FileInfo& info = input.file_of(i);
        if (info.external || info.device != section.device || info.section != section.section) {
            continue;
        }
        points.push_back(static_cast<std::uint32_t>(i));
        file_rank.emplace(input.file[i], 0);
        if (info.split == dataset::Split::train) {
            ++split_counts[0];
        } else if (info.split == dataset::Split::test) {
            ++split_counts[1];
            anomaly_points += info.label == dataset::Label::anomaly ? 1 : 0;
        } else {
            ++split_counts[2];
        }
    }
    std::size_t rank = 0;
    for (auto& [file, value] : file_rank) {
        value = rank++;
    }

    std::vector<float> section_embedding;
    section_embedding.reserve(2 * points.size());
    for (const std::uint32_t i : points) {
        section_embedding.push_back(input.embedding[2 * i]);
        section_embedding.push_back(input.embedding[2 * i + 1]);
    }
    std::optional<SectionCross> cross;
    if (!input.energy.empty()) {
        cross = section_cross(input.embedding, input.energy, points, options.cross_exclude,
                              options.cross_average);
    }

    // Legend.
    Legend legend;
    legend.add_header("Points by file");
    std::vector<std::pair<Rgb, std::string>> swatches;
    for (std::size_t c = 0; c < std::min(file_rank.size(), file_colour_count()); ++c) {
        swatches.emplace_back(file_colour(c), std::to_string(c + 1));
    }
    if (!swatches.empty()) {
        legend.add_swatches(std::move(swatches));
    }
    legend.add_note(format_count(static_cast<std::int64_t>(file_rank.size())) +
                    (file_rank.size() == 1 ? " file" : " files") +
                    (file_rank.size() > file_colour_count()
                         ? "; the 10 colours repeat in file order."
                         : ", coloured in file order."));
    legend.add_gap();
    legend.add_header("Points");
    legend.add_row("training", format_count(split_counts[0]));
    legend.add_row("test", format_count(split_counts[1]));
    if (split_counts[1] > 0) {
        legend.add_row("  of which anomalous", format_count(anomaly_points));
    }
    if (split_counts[2] > 0) {
        legend.add_row("no split", format_count(split_counts[2]));
    }
    legend.add_gap();
    if (cross) {
        legend.add_entry({Marker::cross, 4, {{0, 0, 0}, 1}}, "low-energy cross");
        std::string note =
            "Mean position of the points ranked " + format_count(cross->excluded + 1) + " to " +
            format_count(cross->excluded + cross->averaged) + " by ascending frame energy (the " +
            format_count(cross->excluded) + " lowest skipped).";
        if (cross->excluded != options.cross_exclude || cross->averaged != options.cross_average) {
            note += " Scaled down from " + format_count(options.cross_exclude) + " + " +
                    format_count(options.cross_average) + " for a small section.";
        }
        legend.add_note(note);
    } else if (input.energy.empty()) {
        legend.add_note("No low-energy cross: this representation has no frame energy.");
    }
    legend.add_note("Draw order shuffled (seed " + std::to_string(options.seed) + ").");
    const DataBounds bounds = data_bounds(section_embedding);
    const PagePlan plan =
        plan_page(section_plot_width, section_plot_height, 1, false, bounds, legend, 150);
    const PageLayout& page = plan.page;
    const Rect& frame = plan.frames[0];
    Canvas canvas = make_canvas(output, section_plot_width, plan.height_inches, options);

    // Points.
    const PixelRect panel = canvas.to_pixels(frame);
    const PanelTransform transform(bounds, panel);
    const double panel_area = frame.width * frame.height;
    const double radius = point_radius(points.size(), panel_area);
    const double alpha = std::max(0.5, point_alpha(points.size()));
    PointLayer layer(panel);
    std::vector<std::uint16_t> styles;
    for (std::size_t c = 0; c < std::min(file_rank.size(), file_colour_count()); ++c) {
        styles.push_back(layer.add_style({Marker::circle, radius, {file_colour(c), alpha}}));
    }
    shuffle_layer(points, options.seed, file_layer);
    for (const std::uint32_t i : points) {
        const std::size_t colour = file_rank.at(input.file[i]) % file_colour_count();
        layer.add(transform.x_pixel(input.embedding[2 * i]),
                  transform.y_pixel(input.embedding[2 * i + 1]), styles[colour]);
    }
    const bool vector = use_vector_points(canvas, layer.size(), options);
    layer.draw(canvas, vector, options.threads);
    if (points.empty()) {
        draw_panel_note(canvas, panel, "No points in this section");
    }

    PlotLayout layout;
    if (cross) {
        const double page_x = panel.x + transform.x_pixel(cross->x);
        const double page_y = panel.y + transform.y_pixel(cross->y);
        const double points_per_pixel = 1.0 / canvas.pixels_per_point();
        cairo_save(canvas.context());
        const Rect clip = canvas.to_points(panel);
        cairo_rectangle(canvas.context(), clip.x, clip.y, clip.width, clip.height);
        cairo_clip(canvas.context());
        draw_cross(canvas, page_x * points_per_pixel, page_y * points_per_pixel, cross_radius);
        cairo_restore(canvas.context());
        layout.cross = std::array<double, 2>{page_x, page_y};
    }
    draw_axes(canvas, transform, {true, true, "UMAP 1", "UMAP 2"});

    // Title.
    const std::string name =
        (section.device.empty() ? std::string("(no device)") : section.device) + ", " +
        section_label(section.section);
    std::string subtitle =
        "scope " + (input.map.scope.empty() ? std::string("?") : input.map.scope) + "  \u00b7  " +
        format_count(static_cast<std::int64_t>(points.size())) + " points of " +
        format_count(static_cast<std::int64_t>(file_rank.size())) + " files";
    if (input.map.seed) {
        subtitle += "  \u00b7  UMAP seed " + std::to_string(*input.map.seed);
    }
    subtitle += "  \u00b7  draw-order seed " + std::to_string(options.seed);
    draw_title(canvas, page.title, name + ": " + describe_map(input.map), subtitle);
    const Rect legend_area = draw_legend(canvas, legend, page.legend);

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
