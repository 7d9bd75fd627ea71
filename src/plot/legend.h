#pragma once

// A legend column: headers, marker entries with counts, rows of colour swatches and notes,
// laid out top to bottom at a given width.

#include <string>
#include <utility>
#include <vector>

#include "plot/canvas.h"
#include "plot/color.h"
#include "plot/point_layer.h"

namespace uadscope::plot {

class Legend {
  public:
    void add_header(std::string text);
    // A marker, its label and an optional count printed right-aligned.
    void add_entry(const MarkerStyle& symbol, std::string label, std::string count = {});
    // A label and a count without a symbol, aligned with the entries' labels.
    void add_row(std::string label, std::string count);
    // Small squares with a label each (section shades), wrapped onto as many rows as needed.
    void add_swatches(std::vector<std::pair<Rgb, std::string>> swatches);
    // Secondary text, word-wrapped to the legend's width.
    void add_note(std::string text);
    void add_gap();

    bool empty() const { return items_.empty(); }
    // Width that fits every header, entry and swatch without wrapping, at most max_width.
    double natural_width(Canvas& canvas, double max_width) const;
    double height(Canvas& canvas, double width) const;
    void draw(Canvas& canvas, double x, double y, double width) const;

  private:
    enum class Kind { header, entry, row, swatches, note, gap };
    struct Item {
        Kind kind;
        std::string text;
        std::string count;
        MarkerStyle symbol;
        std::vector<std::pair<Rgb, std::string>> swatches;
    };

    // Lays the items out from (x, y); draws them when `draw` is set. Returns the height.
    double layout(Canvas& canvas, double x, double y, double width, bool draw) const;

    std::vector<Item> items_;
};

}  // namespace uadscope::plot
