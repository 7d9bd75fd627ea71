#include "plot/legend.h"

#include <algorithm>
#include <sstream>

#include "plot/palette.h"

namespace uadscope::plot {

namespace {

constexpr double header_size = 8;
constexpr double entry_size = 7.5;
constexpr double note_size = 7;
constexpr double row_height = 11;     // points per entry row
constexpr double symbol_column = 13;  // points before an entry's label
constexpr double count_gap = 8;       // points between a label and its count
constexpr double swatch_size = 6.5;   // points
constexpr double swatch_gap = 4;      // points after a swatch label
constexpr double gap_height = 6;

TextStyle header_style() {
    return {header_size, true, ink_colour()};
}
TextStyle entry_style() {
    return {entry_size, false, ink_colour()};
}
TextStyle note_style() {
    return {note_size, false, muted_ink_colour()};
}

std::vector<std::string> wrap_words(Canvas& canvas, const std::string& text, const TextStyle& style,
                                    double width) {
    std::vector<std::string> lines;
    std::istringstream words(text);
    std::string word;
    std::string line;
    while (words >> word) {
        const std::string candidate = line.empty() ? word : line + " " + word;
        if (!line.empty() && canvas.text_width(candidate, style) > width) {
            lines.push_back(line);
            line = word;
        } else {
            line = candidate;
        }
    }
    if (!line.empty()) {
        lines.push_back(line);
    }
    return lines;
}

}  // namespace

void Legend::add_header(std::string text) {
    items_.push_back({Kind::header, std::move(text), {}, {}, {}});
}

void Legend::add_entry(const MarkerStyle& symbol, std::string label, std::string count) {
    items_.push_back({Kind::entry, std::move(label), std::move(count), symbol, {}});
}

void Legend::add_row(std::string label, std::string count) {
    items_.push_back({Kind::row, std::move(label), std::move(count), {}, {}});
}

void Legend::add_swatches(std::vector<std::pair<Rgb, std::string>> swatches) {
    items_.push_back({Kind::swatches, {}, {}, {}, std::move(swatches)});
}

void Legend::add_note(std::string text) {
    items_.push_back({Kind::note, std::move(text), {}, {}, {}});
}

void Legend::add_gap() {
    items_.push_back({Kind::gap, {}, {}, {}, {}});
}

double Legend::natural_width(Canvas& canvas, double max_width) const {
    double width = 0;
    for (const auto& item : items_) {
        switch (item.kind) {
            case Kind::header:
                width = std::max(width, canvas.text_width(item.text, header_style()));
                break;
            case Kind::entry:
            case Kind::row: {
                double entry = symbol_column + canvas.text_width(item.text, entry_style());
                if (!item.count.empty()) {
                    entry += count_gap + canvas.text_width(item.count, entry_style());
                }
                width = std::max(width, entry);
                break;
            }
            case Kind::swatches: {
                double row = symbol_column;
                for (const auto& [colour, label] : item.swatches) {
                    row += swatch_size + 2 + canvas.text_width(label, note_style()) + swatch_gap;
                }
                width = std::max(width, row);
                break;
            }
            case Kind::note:
            case Kind::gap:
                break;
        }
    }
    return std::min(width, max_width);
}

double Legend::height(Canvas& canvas, double width) const {
    return layout(canvas, 0, 0, width, false);
}

void Legend::draw(Canvas& canvas, double x, double y, double width) const {
    layout(canvas, x, y, width, true);
}

double Legend::layout(Canvas& canvas, double x, double y, double width, bool draw) const {
    double cursor = y;
    for (const auto& item : items_) {
        switch (item.kind) {
            case Kind::header:
                if (draw) {
                    canvas.text(x, cursor + row_height / 2, item.text, header_style(), HAlign::left,
                                VAlign::middle);
                }
                cursor += row_height + 1;
                break;
            case Kind::entry:
            case Kind::row:
                if (draw) {
                    const double middle = cursor + row_height / 2;
                    if (item.kind == Kind::entry) {
                        draw_marker(canvas.context(), item.symbol, x + symbol_column / 2 - 1,
                                    middle);
                    }
                    canvas.text(x + symbol_column, middle, item.text, entry_style(), HAlign::left,
                                VAlign::middle);
                    canvas.text(x + width, middle, item.count, entry_style(), HAlign::right,
                                VAlign::middle);
                }
                cursor += row_height;
                break;
            case Kind::swatches: {
                double column = x + symbol_column;
                for (const auto& [colour, label] : item.swatches) {
                    const double label_width = canvas.text_width(label, note_style());
                    const double advance = swatch_size + 2 + label_width + swatch_gap;
                    if (column > x + symbol_column && column + advance - swatch_gap > x + width) {
                        column = x + symbol_column;
                        cursor += row_height;
                    }
                    if (draw) {
                        const double middle = cursor + row_height / 2;
                        canvas.fill_rect(
                            {column, middle - swatch_size / 2, swatch_size, swatch_size},
                            {colour, 1});
                        canvas.text(column + swatch_size + 2, middle, label, note_style(),
                                    HAlign::left, VAlign::middle);
                    }
                    column += advance;
                }
                cursor += row_height;
                break;
            }
            case Kind::note:
                for (const auto& line : wrap_words(canvas, item.text, note_style(), width)) {
                    if (draw) {
                        canvas.text(x, cursor + row_height / 2, line, note_style(), HAlign::left,
                                    VAlign::middle);
                    }
                    cursor += row_height - 1.5;
                }
                break;
            case Kind::gap:
                cursor += gap_height;
                break;
        }
    }
    return cursor - y;
}

}  // namespace uadscope::plot
