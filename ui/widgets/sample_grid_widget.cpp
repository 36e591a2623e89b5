#include "widgets/sample_grid_widget.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include "widgets/image_grid.h"

namespace ebm::studio {
namespace {

constexpr int kGap = 4;                    // pixels between cells
const QColor kBackground(32, 32, 36);      // dark, so that gray garments stand out
const QColor kSelection(255, 152, 0);

}  // namespace

SampleGridWidget::SampleGridWidget(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(false);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setCursor(Qt::PointingHandCursor);
    placeholder_ = tr("Press Sample (F5) to draw samples");
}

void SampleGridWidget::setImages(const QVector<QImage>& images)
{
    images_ = images;
    if (selected_ >= images_.size())
        selected_ = -1;
    update();
}

void SampleGridWidget::setEnergies(const QVector<double>& energies) { energies_ = energies; }

void SampleGridWidget::setPlaceholder(const QString& text)
{
    placeholder_ = text;
    update();
}

void SampleGridWidget::setSelected(int index)
{
    if (index == selected_)
        return;
    selected_ = index;
    update();
}

SampleGridWidget::Layout SampleGridWidget::layoutFor(int count) const
{
    Layout l;
    if (count <= 0)
        return l;
    // The column count that gives the largest cells in this widget's shape: 64 samples in a wide
    // area take 12 columns of 71 px rather than a square 8 x 8 of 55 px in wide margins. Ties go to
    // the squarer grid, which is what exports use.
    const auto cellFor = [this](int cols, int rows) {
        return qMin((width() - kGap) / cols, (height() - kGap) / rows) - kGap;
    };
    l.cols = gridColumns(count);
    l.rows = (count + l.cols - 1) / l.cols;
    int best = cellFor(l.cols, l.rows);
    for (int cols = 1; cols <= count; ++cols) {
        const int rows = (count + cols - 1) / cols;
        if ((cols - 1) * rows >= count)
            continue;  // a whole empty column: another count gives the same rows
        const int cell = cellFor(cols, rows);
        if (cell > best || (cell == best && qAbs(cols - rows) < qAbs(l.cols - l.rows))) {
            best = cell;
            l.cols = cols;
            l.rows = rows;
        }
    }
    l.cell = qMax(1, best);
    const int usedW = l.cols * (l.cell + kGap) + kGap, usedH = l.rows * (l.cell + kGap) + kGap;
    l.originX = (width() - usedW) / 2;
    l.originY = (height() - usedH) / 2;
    return l;
}

QRect SampleGridWidget::cellRect(int index) const
{
    const Layout l = layoutFor(static_cast<int>(images_.size()));
    if (index < 0 || index >= images_.size())
        return {};
    return QRect(l.originX + kGap + (index % l.cols) * (l.cell + kGap),
                 l.originY + kGap + (index / l.cols) * (l.cell + kGap), l.cell, l.cell);
}

int SampleGridWidget::indexAt(const QPoint& pos) const
{
    for (int i = 0; i < images_.size(); ++i)
        if (cellRect(i).contains(pos))
            return i;
    return -1;
}

QSize SampleGridWidget::sizeHint() const { return {480, 480}; }
QSize SampleGridWidget::minimumSizeHint() const { return {120, 120}; }

void SampleGridWidget::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), kBackground);
    if (images_.isEmpty()) {
        painter.setPen(QColor(200, 200, 200));
        painter.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        return;
    }
    for (int i = 0; i < images_.size(); ++i) {
        const QRect cell = cellRect(i);
        const QImage& image = images_[i];
        // Fill the cell. From 3x up, nearest-neighbour pixels look crisp and even; below that
        // they would come out as uneven rows, so smooth instead.
        const int side = qMax(1, qMax(image.width(), image.height()));
        painter.setRenderHint(QPainter::SmoothPixmapTransform, cell.width() < 3 * side);
        painter.drawImage(cell, image);
    }
    if (selected_ >= 0 && selected_ < images_.size()) {
        painter.setPen(QPen(kSelection, 2));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(cellRect(selected_).adjusted(-1, -1, 0, 0));
    }
}

void SampleGridWidget::mousePressEvent(QMouseEvent* event)
{
    const int index = indexAt(event->position().toPoint());
    if (index >= 0) {
        setSelected(index);
        Q_EMIT sampleClicked(index);
    }
    QWidget::mousePressEvent(event);
}

bool SampleGridWidget::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip && sampleToolTips_) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int index = indexAt(help->pos());
        if (index >= 0) {
            QString text = tr("Sample %1").arg(index + 1);
            if (index < energies_.size())
                text += tr("\nenergy %1").arg(energies_[index], 0, 'g', 5);
            text += tr("\nclick to follow its trajectory");
            QToolTip::showText(help->globalPos(), text, this);
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

}  // namespace ebm::studio
