#include "ebm/io/labelled_grid.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "ebm/base/error.h"
#include "ebm/io/image_file.h"
#include "io/text_raster.h"

namespace ebm {
namespace {

// Text a person reads at a glance beside pictures of 28 to 64 pixels: labels at 13 pixels a line,
// titles a little larger, each on a line 1.6 times as high.
constexpr int kLabelPixels = 13;
constexpr int kTitlePixels = 14;
constexpr double kLineHeight = 1.6;
// DejaVu Sans's digits and capitals rise about 0.73 em above the baseline: centred on that.
constexpr double kCapHeight = 0.73;
constexpr int kBorder = 8;     // around everything
constexpr int kGap = 6;        // between two cells
constexpr int kLabelSpace = 8; // between a label and what it labels
constexpr int kBlankCellSide = 64;  // a cell box when no cell has pictures
constexpr internal::RGB kBackground{255, 255, 255};
constexpr internal::RGB kTextColor{30, 30, 30};
constexpr internal::RGB kNoteColor{90, 90, 90};
constexpr uint8_t kBlankCellGray = 225;

int lineHeight(int pixels) { return static_cast<int>(std::lround(pixels * kLineHeight)); }

/// The baseline that centres capitals on a line starting at `top`, `height` high.
int centredBaseline(int top, int height, int pixels)
{
    return top + static_cast<int>(std::lround((height + kCapHeight * pixels) / 2.0));
}

int widestText(const std::vector<std::string>& texts, int pixels)
{
    int widest = 0;
    for (const std::string& text : texts)
        widest = std::max(widest, internal::textWidth(text, pixels));
    return widest;
}

/// One cell's grid as RGB bytes [H, W, 3], each pixel repeated `scale` times each way.
torch::Tensor cellPixels(const torch::Tensor& images, const LabelledGridOptions& options)
{
    torch::Tensor grid = makeGrid(images, options.cellColumns);  // [C, H, W] in [0, 1]
    if (grid.size(0) == 1)
        grid = grid.expand({3, grid.size(1), grid.size(2)});
    if (options.scale > 1)
        grid = grid.repeat_interleave(options.scale, 1).repeat_interleave(options.scale, 2);
    return grid.mul(255.0).round().clamp(0, 255).to(torch::kUInt8).permute({1, 2, 0}).contiguous();
}

void fill(LabelledGrid& grid, int left, int top, int width, int height, uint8_t gray)
{
    for (int y = top; y < top + height; ++y)
        std::fill_n(grid.rgb.begin() + (static_cast<size_t>(y) * grid.width + left) * 3, size_t(width) * 3, gray);
}

void paste(LabelledGrid& grid, const torch::Tensor& pixels, int left, int top)
{
    const int height = static_cast<int>(pixels.size(0)), width = static_cast<int>(pixels.size(1));
    const uint8_t* source = pixels.data_ptr<uint8_t>();
    for (int y = 0; y < height; ++y)
        std::copy_n(source + static_cast<size_t>(y) * width * 3, size_t(width) * 3,
                    grid.rgb.begin() + (static_cast<size_t>(top + y) * grid.width + left) * 3);
}

void draw(LabelledGrid& grid, int x, int baseline, const std::string& text, int pixels, internal::RGB color)
{
    internal::drawText(grid.rgb.data(), grid.width, grid.height, x, baseline, text, pixels, color);
}

void checkLabels(const GridAxisLabels& axis, int count, const char* what)
{
    if (!axis.labels.empty() && static_cast<int>(axis.labels.size()) != count)
        throw Error(std::string("a labelled grid of ") + std::to_string(count) + " " + what + " was given " +
                    std::to_string(axis.labels.size()) + " labels for them");
}

}  // namespace

torch::Tensor LabelledGrid::toTensor() const
{
    if (rgb.empty())
        return torch::zeros({3, 0, 0});
    // from_blob does not write: the copy that to() makes is the picture's own.
    const torch::Tensor bytes =
        torch::from_blob(const_cast<uint8_t*>(rgb.data()), {height, width, 3}, torch::kUInt8);
    return bytes.permute({2, 0, 1}).to(torch::kFloat32).div(255.0);
}

bool gridLabelsAvailable() { return internal::textAvailable(); }

std::string gridLabelsUnavailableReason() { return internal::textUnavailableReason(); }

LabelledGrid makeLabelledGrid(const std::vector<LabelledGridCell>& cells, int columns, const GridAxisLabels& columnAxis,
                              const GridAxisLabels& rowAxis, const LabelledGridOptions& options)
{
    if (columns < 1 || cells.empty() || cells.size() % size_t(columns) != 0)
        throw Error("a labelled grid needs whole rows of " + std::to_string(columns) + " cells, not " +
                    std::to_string(cells.size()) + " cells");
    if (options.scale < 1 || options.scale > kMaxLabelledGridScale)
        throw Error("a labelled grid's pictures are enlarged 1 to " + std::to_string(kMaxLabelledGridScale) + " times, not " +
                    std::to_string(options.scale));
    LabelledGrid grid;
    grid.columns = columns;
    grid.rows = static_cast<int>(cells.size()) / columns;
    checkLabels(columnAxis, grid.columns, "columns");
    checkLabels(rowAxis, grid.rows, "rows");
    grid.labelsDrawn = gridLabelsAvailable();
    if (!grid.labelsDrawn) {
        static std::once_flag warned;
        std::call_once(warned, [] {
            spdlog::warn("pictures of sweeps have no labels: {}", gridLabelsUnavailableReason());
        });
    }

    std::vector<torch::Tensor> pixels;
    for (const LabelledGridCell& cell : cells) {
        pixels.push_back(cell.images.defined() ? cellPixels(cell.images, options) : torch::Tensor());
        if (pixels.back().defined()) {
            grid.cellWidth = std::max(grid.cellWidth, static_cast<int>(pixels.back().size(1)));
            grid.cellHeight = std::max(grid.cellHeight, static_cast<int>(pixels.back().size(0)));
        }
    }
    if (grid.cellWidth == 0) {
        grid.cellWidth = kBlankCellSide;
        grid.cellHeight = kBlankCellSide;
    }
    // A column as wide as its widest label, so that labels never run into each other.
    const int columnLabelWidth = widestText(columnAxis.labels, kLabelPixels);
    if (columnLabelWidth > 0)
        grid.cellWidth = std::max(grid.cellWidth, columnLabelWidth + kLabelSpace);
    const bool rowLabels = !rowAxis.labels.empty() || !rowAxis.title.empty();
    const int rowLabelWidth =
        rowLabels ? std::max(widestText(rowAxis.labels, kLabelPixels), internal::textWidth(rowAxis.title, kTitlePixels))
                  : 0;
    const int titleLine = lineHeight(kTitlePixels), labelLine = lineHeight(kLabelPixels);
    grid.gap = kGap;
    grid.border = kBorder;
    grid.marginLeft = kBorder + (rowLabels ? rowLabelWidth + kLabelSpace : 0);
    grid.marginTop = kBorder + titleLine + labelLine;
    const int64_t width = int64_t(grid.marginLeft) + int64_t(grid.columns) * grid.cellWidth +
                          int64_t(grid.columns - 1) * kGap + kBorder;
    const int64_t height = int64_t(grid.marginTop) + int64_t(grid.rows) * grid.cellHeight +
                           int64_t(grid.rows - 1) * kGap + kBorder;
    if (width > kMaxImageSide || height > kMaxImageSide || width * height > kMaxImagePixels)
        throw Error("the grid of " + std::to_string(cells.size()) + " cells would be " + std::to_string(width) + "x" +
                    std::to_string(height) + " pixels, over the " + std::to_string(kMaxImageSide) +
                    " a side a picture may have; ask for fewer samples or values");
    grid.width = static_cast<int>(width);
    grid.height = static_cast<int>(height);
    grid.rgb.assign(static_cast<size_t>(width * height * 3), kBackground.r);

    const auto boxLeft = [&](int column) { return grid.marginLeft + column * (grid.cellWidth + kGap); };
    const auto boxTop = [&](int row) { return grid.marginTop + row * (grid.cellHeight + kGap); };
    for (size_t i = 0; i < cells.size(); ++i) {
        const int left = boxLeft(static_cast<int>(i) % columns), top = boxTop(static_cast<int>(i) / columns);
        if (pixels[i].defined()) {
            paste(grid, pixels[i], left + (grid.cellWidth - static_cast<int>(pixels[i].size(1))) / 2,
                  top + (grid.cellHeight - static_cast<int>(pixels[i].size(0))) / 2);
            continue;
        }
        fill(grid, left, top, grid.cellWidth, grid.cellHeight, kBlankCellGray);
        const std::string& note = cells[i].note;
        draw(grid, left + (grid.cellWidth - internal::textWidth(note, kLabelPixels)) / 2,
             centredBaseline(top, grid.cellHeight, kLabelPixels), note, kLabelPixels, kNoteColor);
    }

    // The columns' title over the cells, the rows' in the corner above their labels.
    const int titleBaseline = centredBaseline(kBorder, titleLine, kTitlePixels);
    const int cellsWidth = grid.columns * grid.cellWidth + (grid.columns - 1) * kGap;
    draw(grid, grid.marginLeft + (cellsWidth - internal::textWidth(columnAxis.title, kTitlePixels)) / 2, titleBaseline,
         columnAxis.title, kTitlePixels, kTextColor);
    if (rowLabels)
        draw(grid, kBorder, titleBaseline, rowAxis.title, kTitlePixels, kTextColor);
    const int labelBaseline = centredBaseline(kBorder + titleLine, labelLine, kLabelPixels);
    for (int column = 0; column < static_cast<int>(columnAxis.labels.size()); ++column) {
        const std::string& label = columnAxis.labels[static_cast<size_t>(column)];
        draw(grid, boxLeft(column) + (grid.cellWidth - internal::textWidth(label, kLabelPixels)) / 2, labelBaseline,
             label, kLabelPixels, kTextColor);
    }
    for (int row = 0; row < static_cast<int>(rowAxis.labels.size()); ++row)
        draw(grid, kBorder, centredBaseline(boxTop(row), grid.cellHeight, kLabelPixels),
             rowAxis.labels[static_cast<size_t>(row)], kLabelPixels, kTextColor);
    return grid;
}

}  // namespace ebm
