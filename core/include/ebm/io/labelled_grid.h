#pragma once
// A grid of sample grids with its axes written on it (issue 27's sweeps): each cell one makeGrid
// picture, the columns' labels ("step-size = 0.02") on top under the axis title, the rows' at the
// left under theirs. Text is drawn with DejaVu Sans (fonts-dejavu-core); without the font the
// picture is made all the same, without text, and a warning says so once.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

namespace ebm {

/// One cell: its pictures [N, C, H, W] (C = 1 or 3, values in [0, 1]) or, when undefined, a grey
/// box with `note` written in it ("diverged", "not run").
struct LabelledGridCell {
    torch::Tensor images;
    std::string note;
};

/// An axis of the grid: its title ("step-size") and one label per column or row.
struct GridAxisLabels {
    std::string title;
    std::vector<std::string> labels;
};

/// The largest enlargement of the pictures (LabelledGridOptions::scale).
constexpr int kMaxLabelledGridScale = 16;

struct LabelledGridOptions {
    int cellColumns = 0;  // makeGrid's columns in each cell (0: near square)
    int scale = 1;        // every pixel of the pictures drawn scale x scale (text keeps its size), 1 to kMaxLabelledGridScale
};

/// The composed picture and where its parts are.
struct LabelledGrid {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> rgb;  // width * height * 3 bytes, rows from the top
    int columns = 0;
    int rows = 0;
    /// The label margins: the cells start at (marginLeft, marginTop).
    int marginLeft = 0;
    int marginTop = 0;
    /// Every cell's box (its grid centred in it) and the space between two boxes.
    int cellWidth = 0;
    int cellHeight = 0;
    int gap = 0;
    /// width = marginLeft + columns * cellWidth + (columns - 1) * gap + border, and the same
    /// for the height with marginTop, rows and cellHeight.
    int border = 0;
    bool labelsDrawn = false;  // false: no font, the picture has no text

    /// The picture as [3, H, W] float in [0, 1], as ebm::writeImage takes it.
    torch::Tensor toTensor() const;
};

/// Composes `cells` (row-major, rows x `columns` of them) under `columnAxis`'s labels (one per
/// column) and beside `rowAxis`'s (one per row; none, and no row margin, for a single row without
/// labels). Throws ebm::Error in one line for a count of cells or labels that does not match, or a
/// cell that is no picture.
LabelledGrid makeLabelledGrid(const std::vector<LabelledGridCell>& cells, int columns, const GridAxisLabels& columnAxis,
                              const GridAxisLabels& rowAxis, const LabelledGridOptions& options = {});

/// Whether the labels can be drawn (the font is there), and why not.
bool gridLabelsAvailable();
std::string gridLabelsUnavailableReason();

}  // namespace ebm
