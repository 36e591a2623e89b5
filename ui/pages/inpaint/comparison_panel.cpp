#include "pages/inpaint/comparison_panel.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace ebm::studio {
namespace {

constexpr int kGap = 6;            // screen pixels between cells (at scale 1 of the layout)
constexpr int kCaption = 16;       // caption line height
constexpr int kMaxColumns = 8;
constexpr int kMaxScale = 16;
constexpr int kHiddenGrey = 128;   // generated pixels in the masked input
const QColor kBest(40, 170, 60), kWorst(210, 40, 40);

}  // namespace

ComparisonPanel::ComparisonPanel(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("comparisonPanel"));
    setMinimumSize(200, 160);
}

void ComparisonPanel::setResult(const QImage& original, const QImage& mask, const QVector<QImage>& completions,
                                const QVector<double>& maskedMse)
{
    original_ = original;
    mask_ = mask;
    completions_ = completions;
    mse_ = maskedMse;
    best_ = worst_ = -1;
    if (!mse_.isEmpty()) {
        best_ = static_cast<int>(std::min_element(mse_.begin(), mse_.end()) - mse_.begin());
        worst_ = static_cast<int>(std::max_element(mse_.begin(), mse_.end()) - mse_.begin());
    }
    update();
}

void ComparisonPanel::clear()
{
    completions_.clear();
    mse_.clear();
    best_ = worst_ = -1;
    update();
}

QImage ComparisonPanel::difference(const QImage& completion, const QImage& original)
{
    const QImage a = completion.convertToFormat(QImage::Format_RGB888);
    const QImage b = original.convertToFormat(QImage::Format_RGB888);
    QImage out(a.size(), QImage::Format_Grayscale8);
    for (int y = 0; y < a.height(); ++y) {
        const uchar* pa = a.constScanLine(y);
        const uchar* pb = b.constScanLine(y);
        uchar* o = out.scanLine(y);
        for (int x = 0; x < a.width(); ++x) {
            int d = 0;
            for (int c = 0; c < 3; ++c)
                d = std::max(d, std::abs(int(pa[3 * x + c]) - int(pb[3 * x + c])));
            o[x] = uchar(d);
        }
    }
    return out;
}

QImage ComparisonPanel::maskedInput(const QImage& original, const QImage& mask)
{
    QImage out = original.convertToFormat(QImage::Format_RGB888);
    for (int y = 0; y < out.height() && y < mask.height(); ++y) {
        const uchar* m = mask.constScanLine(y);
        uchar* o = out.scanLine(y);
        for (int x = 0; x < out.width() && x < mask.width(); ++x)
            if (m[x] >= 128)
                o[3 * x] = o[3 * x + 1] = o[3 * x + 2] = kHiddenGrey;
    }
    return out;
}

QSize ComparisonPanel::renderedSize(int scale, int columns) const
{
    const int cell = original_.width() * std::max(1, scale);
    const int rows = (int(completions_.size()) + columns - 1) / columns;
    return {kGap + columns * (cell + kGap), kGap + (cell + kCaption + kGap) + rows * (2 * cell + kCaption + 2 * kGap)};
}

QImage ComparisonPanel::render(int scale, int columns) const
{
    if (completions_.isEmpty() || original_.isNull())
        return {};
    scale = std::max(scale, 2);  // captions need a cell of 64 pixels or so
    const int cell = original_.width() * scale;
    if (columns <= 0)
        columns = std::min(kMaxColumns, int(completions_.size()));
    columns = std::max(2, columns);  // the original and the masked input share the first row
    const QSize size = renderedSize(scale, columns);
    QImage out(size, QImage::Format_RGB888);
    out.fill(Qt::white);
    QPainter p(&out);
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    QFont font = p.font();
    font.setPixelSize(11);
    p.setFont(font);
    auto draw = [&](const QImage& image, int x, int y, const QString& caption, const QColor& frame) {
        p.drawImage(QRect(x, y, cell, cell), image);
        if (frame.isValid()) {
            p.setPen(QPen(frame, 3));
            p.drawRect(QRect(x - 2, y - 2, cell + 3, cell + 3));
        }
        p.setPen(Qt::black);
        p.drawText(QRect(x - kGap / 2, y + cell, cell + kGap, kCaption), Qt::AlignCenter, caption);
    };
    draw(original_, kGap, kGap, tr("original"), {});
    draw(maskedInput(original_, mask_), kGap + cell + kGap, kGap, tr("masked input"), {});
    const int top = kGap + cell + kCaption + kGap;
    for (int i = 0; i < completions_.size(); ++i) {
        const int x = kGap + (i % columns) * (cell + kGap);
        const int y = top + (i / columns) * (2 * cell + kCaption + 2 * kGap);
        const QColor frame = i == best_ ? kBest : (i == worst_ ? kWorst : QColor());
        p.drawImage(QRect(x, y, cell, cell), completions_[i]);
        if (frame.isValid()) {
            p.setPen(QPen(frame, 3));
            p.drawRect(QRect(x - 2, y - 2, cell + 3, 2 * cell + kGap + 3));
        }
        p.drawImage(QRect(x, y + cell + kGap, cell, cell), difference(completions_[i], original_));
        p.setPen(frame.isValid() ? frame : QColor(Qt::black));
        const QString label = i < mse_.size() ? tr("#%1 MSE %2").arg(i + 1).arg(mse_[i], 0, 'f', 4) : tr("#%1").arg(i + 1);
        p.drawText(QRect(x - kGap / 2, y + 2 * cell + kGap, cell + kGap, kCaption), Qt::AlignCenter, label);
    }
    return out;
}

void ComparisonPanel::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    if (completions_.isEmpty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("After a run: the original, the masked input, each completion over its difference to the "
                      "original, and the error over the generated pixels"));
        return;
    }
    // The largest whole scale that fits, over the column counts, keeps pixels square and sharp.
    int bestScale = 2, bestColumns = std::min(kMaxColumns, std::max(2, int(completions_.size())));
    for (int columns = 2; columns <= std::min(kMaxColumns, std::max(2, int(completions_.size()))); ++columns)
        for (int scale = bestScale + 1; scale <= kMaxScale; ++scale) {
            const QSize needed = renderedSize(scale, columns);
            if (needed.width() > width() || needed.height() > height())
                break;
            bestScale = scale;
            bestColumns = columns;
        }
    const QImage picture = render(bestScale, bestColumns);
    p.drawImage(QPoint((width() - picture.width()) / 2, 0), picture);
}

}  // namespace ebm::studio
