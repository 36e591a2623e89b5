#include "widgets/plot_panel.h"

#include <QCheckBox>
#include <QDir>
#include <QFileDialog>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTimer>
#include <QVBoxLayout>

#include "ebm/base/json.h"
#include "ebm/base/png_settings.h"
#include "qcustomplot_include.h"
#include "widgets/safe_save.h"
#include "widgets/studio_page.h"

#include <algorithm>
#include <cmath>

namespace ebm::studio {
namespace {

constexpr int kDefaultReplotsPerSecond = 30;
// Beyond this many decades minor ticks would crowd the axis.
constexpr int kMaxMinorTickDecades = 16;
// A readable axis has at least this many labelled ticks.
constexpr int kMinLabelledTicks = 3;

// Last folder a chart was exported to in this session: the next export starts there.
QString& lastExportFolder()
{
    static QString folder;
    return folder;
}

/// The chart as a PNG of width x height times `scale` pixels with `settingsJson` inside, written
/// through the safe writer (QCustomPlot::savePng opens the path itself: it would write into a
/// pipe, or into the old file in place).
bool writeChartPng(QCustomPlot* plot, const QString& path, int width, int height, double scale,
                   const std::string& settingsJson, QString& error)
{
    // No resolution is recorded: the settings' encoder (ebm::encodePng) writes no pHYs chunk, and
    // viewers take such a PNG at the screen's density, as they took QCustomPlot's 96 dpi.
    const QImage image = plot->toPixmap(width, height, scale).toImage();
    return saveImage(image, path, "PNG", QObject::tr("chart"), error, settingsJson);
}

/// The page `widget` is on, or null: the nearest StudioPage among its parents.
const StudioPage* pageOf(const QWidget* widget)
{
    for (const QWidget* parent = widget->parentWidget(); parent; parent = parent->parentWidget())
        if (const auto* page = qobject_cast<const StudioPage*>(parent))
            return page;
    return nullptr;
}

/// Logarithmic ticks people can read: a label at every decade (10, 100, 1000, …), and between
/// them as many of the multiples 5, 2, 3, 4, 6, 7, 8, 9 (nicest first) as fit without touching,
/// so that a range inside one decade (energies from 3000 to 8000) is labelled too. When fewer
/// than three labels fit (3000 to 3400), ordinary linear steps. Minor ticks at the other 1…9
/// multiples show the axis is logarithmic.
class ReadableLogTicker : public QCPAxisTicker {
public:
    explicit ReadableLogTicker(QCPAxis* axis) : axis_(axis) {}

    void generate(const QCPRange& range, const QLocale& locale, QChar formatChar, int precision,
                  QVector<double>& ticks, QVector<double>* subTicks, QVector<QString>* tickLabels) override
    {
        ticks = logTicks(range);
        if (ticks.size() < kMinLabelledTicks) {
            QCPAxisTicker::generate(range, locale, formatChar, precision, ticks, subTicks, tickLabels);
            return;
        }
        if (subTicks)
            *subTicks = minorTicks(range, ticks);
        if (tickLabels)
            *tickLabels = createLabelVector(ticks, locale, formatChar, precision);
    }

private:
    static bool inside(double value, const QCPRange& range)
    {
        const double slack = 1e-9 * std::abs(value);
        return value >= range.lower - slack && value <= range.upper + slack;
    }

    /// The least distance between two labels, in decades, for the axis's present length.
    double labelGapInDecades(const QCPRange& range) const
    {
        const bool vertical = axis_->orientation() == Qt::Vertical;
        const int length = vertical ? axis_->axisRect()->height() : axis_->axisRect()->width();
        const QFontMetrics metrics(axis_->tickLabelFont());
        const double labelSize = vertical ? 1.3 * metrics.height() : 1.2 * metrics.horizontalAdvance(QStringLiteral("00000"));
        return labelSize / (qMax(length, 100) / std::log10(range.upper / range.lower));
    }

    QVector<double> logTicks(const QCPRange& range) const
    {
        if (!(range.lower > 0.0) || !(range.upper > range.lower) || !std::isfinite(range.upper))
            return {};
        const int first = static_cast<int>(std::floor(std::log10(range.lower)));
        const int last = static_cast<int>(std::floor(std::log10(range.upper)));
        const double gap = labelGapInDecades(range);
        // Every decade, unless decades are closer than two labels: then every n-th.
        const int decadeStep = qMax(1, static_cast<int>(std::ceil(gap - 1e-9)));
        QVector<QPair<double, double>> accepted;  // (log10, value)
        auto fits = [&](double position) {
            for (const auto& tick : accepted)
                if (std::abs(tick.first - position) < gap)
                    return false;
            return true;
        };
        for (int k = first; k <= last; ++k)
            if (k % decadeStep == 0 && inside(std::pow(10.0, k), range))
                accepted.push_back({double(k), std::pow(10.0, k)});
        if (decadeStep == 1)
            for (int m : {5, 2, 3, 4, 6, 7, 8, 9})
                for (int k = first; k <= last; ++k) {
                    const double value = m * std::pow(10.0, k);
                    const double position = std::log10(value);
                    if (inside(value, range) && fits(position))
                        accepted.push_back({position, value});
                }
        std::sort(accepted.begin(), accepted.end());
        QVector<double> ticks;
        for (const auto& tick : accepted)
            ticks.push_back(tick.second);
        return ticks;
    }

    static QVector<double> minorTicks(const QCPRange& range, const QVector<double>& labelled)
    {
        QVector<double> ticks;
        const int first = static_cast<int>(std::floor(std::log10(range.lower)));
        const int last = static_cast<int>(std::floor(std::log10(range.upper)));
        if (last - first > kMaxMinorTickDecades)
            return ticks;  // minor ticks would be a grey smear
        for (int k = first; k <= last; ++k)
            for (int m = 1; m <= 9; ++m) {
                const double value = m * std::pow(10.0, k);
                const bool isLabelled = std::any_of(labelled.begin(), labelled.end(),
                                                    [&](double t) { return std::abs(t - value) <= 1e-9 * value; });
                if (!isLabelled && inside(value, range))
                    ticks.push_back(value);
            }
        return ticks;
    }

    QCPAxis* axis_;
};

}  // namespace

PlotPanel::PlotPanel(const QString& title, const QString& fileStem, QWidget* parent)
    : QWidget(parent), titleText_(title), fileStem_(fileStem)
{
    plot_ = new QCustomPlot(this);
    plot_->setMinimumHeight(140);
    plot_->setNoAntialiasingOnDrag(true);
    plot_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(plot_, &QWidget::customContextMenuRequested, this, &PlotPanel::showContextMenu);
    connect(plot_, &QCustomPlot::afterReplot, this, [this] { ++replots_; });

    replotTimer_ = new QTimer(this);
    replotTimer_->setSingleShot(true);
    setMaxReplotsPerSecond(kDefaultReplotsPerSecond);
    connect(replotTimer_, &QTimer::timeout, this, &PlotPanel::replotNow);

    title_ = new QLabel(QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped()), this);
    logScale_ = new QCheckBox(tr("Log scale"), this);
    logScale_->hide();
    connect(logScale_, &QCheckBox::toggled, this, [this](bool on) {
        applyScales();
        requestReplot();
        Q_EMIT logScaleToggled(on);
    });
    titleBar_ = new QHBoxLayout;
    titleBar_->addWidget(title_);
    titleBar_->addStretch(1);
    titleBar_->addWidget(logScale_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(titleBar_);
    layout->addWidget(plot_, 1);

    applyCommonLook();
    setLegendPlacement(LegendPlacement::InsideTopRight);
}

void PlotPanel::applyCommonLook()
{
    // Every text of the chart follows the widget font (so QT_SCALE_FACTOR and the desktop's
    // font size apply); the legend is one point smaller so it does not outshout the data.
    const QFont base = font();
    QFont small = base;
    small.setPointSizeF(qMax(7.0, base.pointSizeF() - 1.0));
    for (QCPAxis* axis : plot_->axisRect()->axes()) {
        axis->setLabelFont(base);
        axis->setTickLabelFont(small);
        axis->setLabelPadding(4);
        axis->setTickLabelPadding(3);
        axis->grid()->setPen(QPen(QColor(0, 0, 0, 35), 1, Qt::DotLine));
        axis->grid()->setSubGridPen(QPen(QColor(0, 0, 0, 18), 1, Qt::DotLine));
        axis->grid()->setZeroLinePen(QPen(QColor(0, 0, 0, 60), 1));
    }
    plot_->legend->setFont(small);
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->legend->setBrush(QColor(255, 255, 255, 200));
    plot_->legend->setIconSize(20, 10);
}

void PlotPanel::requestReplot()
{
    if (!replotTimer_->isActive())
        replotTimer_->start();
}

void PlotPanel::replotNow()
{
    replotTimer_->stop();
    plot_->replot(QCustomPlot::rpQueuedRefresh);
}

void PlotPanel::setMaxReplotsPerSecond(int rate)
{
    replotTimer_->setInterval(1000 / qBound(1, rate, 1000));
}

void PlotPanel::setLogScaleAvailable(bool available, const QString& toolTip)
{
    logScale_->setVisible(available);
    logScale_->setToolTip(toolTip);
}

void PlotPanel::setLogScale(bool on) { logScale_->setChecked(on); }
bool PlotPanel::logScale() const { return logScale_->isChecked(); }

void PlotPanel::setAxisLogarithmic(QCPAxis* axis, bool on)
{
    const bool isLog = axis->scaleType() == QCPAxis::stLogarithmic;
    // Always install our ticker on a log axis, also when the type is already right.
    if (isLog == on && (!on || dynamic_cast<ReadableLogTicker*>(axis->ticker().data())))
        return;
    axis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on)
        axis->setTicker(QSharedPointer<QCPAxisTicker>(new ReadableLogTicker(axis)));
    else
        axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    axis->grid()->setSubGridVisible(on);  // the 2…9 lines show a log axis is one
}

void PlotPanel::setLegendPlacement(LegendPlacement placement)
{
    legendPlacement_ = placement;
    QCPLegend* legend = plot_->legend;
    if (legend->layout())
        legend->layout()->take(legend);
    plot_->plotLayout()->simplify();  // drops the row the legend may leave above the axes
    legend->setVisible(placement != LegendPlacement::Hidden);
    switch (placement) {
    case LegendPlacement::AboveAxes:
        // A row of its own: inside the axes a long legend hides the curves.
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
        legend->setWrap(6);
        legend->setMargins(QMargins(4, 2, 4, 0));
        plot_->plotLayout()->insertRow(0);
        plot_->plotLayout()->addElement(0, 0, legend);
        plot_->plotLayout()->setRowStretchFactor(0, 0.001);
        break;
    case LegendPlacement::Hidden:
    case LegendPlacement::InsideTopRight:
    case LegendPlacement::InsideTopLeft:
        legend->setFillOrder(QCPLayoutGrid::foRowsFirst);
        legend->setWrap(0);
        legend->setMargins(QMargins(6, 4, 6, 4));
        plot_->axisRect()->insetLayout()->addElement(
            legend, Qt::AlignTop | (placement == LegendPlacement::InsideTopLeft ? Qt::AlignLeft : Qt::AlignRight));
        break;
    }
    requestReplot();
}

bool PlotPanel::exportPng(const QString& path, int width, int height)
{
    QString error;
    return writeChartPng(plot_, path, width, height, 1.0, exportSettingsJson(), error);
}

std::string PlotPanel::exportSettingsJson() const
{
    const StudioPage* page = pageOf(this);
    const QString command = page ? QStringLiteral("studio %1 chart").arg(page->sessionKey()) : QStringLiteral("studio chart");
    ebm::Json settings = studioPictureHeader(command.toStdString());
    settings["chart"] = titleText_.toStdString();
    if (page) {
        const QByteArray part = QJsonDocument(page->chartSettings(titleText_)).toJson(QJsonDocument::Compact);
        const ebm::Json added = ebm::Json::parse(part.toStdString(), nullptr, false);
        if (added.is_object())
            for (const auto& [key, value] : added.items())
                if (!settings.contains(key))  // the generic part says what the picture is: the page adds to it
                    settings[key] = value;
    }
    return settings.dump();
}

QString PlotPanel::suggestedFileName() const { return fileStem_ + QStringLiteral(".png"); }

void PlotPanel::addTitleBarWidget(QWidget* widget)
{
    titleBar_->insertWidget(titleBar_->indexOf(logScale_), widget);
}

void PlotPanel::showContextMenu(const QPoint& at)
{
    QMenu menu(this);
    addContextMenuActions(menu, at);
    if (!menu.isEmpty())
        menu.addSeparator();
    if (!logScale_->isHidden()) {
        QAction* log = menu.addAction(logScale_->text());
        log->setCheckable(true);
        log->setChecked(logScale_->isChecked());
        connect(log, &QAction::toggled, logScale_, &QCheckBox::setChecked);
        menu.addSeparator();
    }
    menu.addAction(tr("Export as PNG…"), this, &PlotPanel::exportWithDialog);
    menu.exec(plot_->mapToGlobal(at));
}

void PlotPanel::exportWithDialog()
{
    QString folder = lastExportFolder();
    if (folder.isEmpty())
        folder = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    QString path = QFileDialog::getSaveFileName(this, tr("Export Chart as PNG"),
                                                QDir(folder).filePath(suggestedFileName()), tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive))
        path += QStringLiteral(".png");
    lastExportFolder() = QFileInfo(path).absolutePath();
    // The size shown on screen, at the screen's pixel density: the PNG looks like the chart.
    QString error;
    if (!writeChartPng(plot_, path, plot_->width(), plot_->height(), devicePixelRatioF(), exportSettingsJson(), error))
        QMessageBox::warning(this, tr("Export Chart"), error);
}

}  // namespace ebm::studio
