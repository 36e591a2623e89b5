#include "pages/evaluate/class_histogram_chart.h"

#include <QFontMetrics>
#include <QLocale>

#include "widgets/qcustomplot_include.h"

#include <cmath>

namespace ebm::studio {
namespace {

const QColor kSampleBarColor(25, 90, 200);
const QColor kRealBarColor(150, 150, 150);
// Side by side around each class: real images left, samples right.
constexpr double kBarWidth = 0.38;
// Class labels may take at most this share of the chart's height.
constexpr double kMaxLabelHeightShare = 0.3;

QVector<double> shares(const QVector<qint64>& counts, int classes)
{
    double total = 0.0;
    for (int k = 0; k < classes; ++k)
        total += counts.value(k);
    QVector<double> out(classes, 0.0);
    for (int k = 0; k < classes && total > 0; ++k)
        out[k] = counts.value(k) / total;
    return out;
}

}  // namespace

ClassHistogramChart::ClassHistogramChart(QWidget* parent)
    : PlotPanel(tr("Predicted classes"), QStringLiteral("classes"), parent)
{
    plot()->setObjectName(QStringLiteral("classChart"));
    plot()->setMinimumHeight(180);
    plot()->yAxis->setLabel(tr("share of images"));
    plot()->xAxis->grid()->setVisible(false);
    setLegendPlacement(LegendPlacement::AboveAxes);  // inside, it would hide the tallest bars
    clear();
}

void ClassHistogramChart::clear()
{
    plot()->clearPlottables();
    names_.clear();
    shownLabels_.clear();
    plot()->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTickerText));
    plot()->xAxis->setRange(-0.5, 0.5);
    plot()->yAxis->setRange(0.0, 1.0);
    requestReplot();
}

void ClassHistogramChart::setCounts(const QVector<qint64>& samples, const QVector<qint64>& real,
                                    const QStringList& names, qint64 realImageCount)
{
    clear();
    const int classes = samples.size();
    if (classes == 0)
        return;
    for (int k = 0; k < classes; ++k)
        names_ << names.value(k, tr("class %1").arg(k));
    const QVector<double> sampleShare = shares(samples, classes), realShare = shares(real, classes);
    QVector<double> realKeys, sampleKeys;
    for (int k = 0; k < classes; ++k) {
        realKeys << k - kBarWidth / 2;
        sampleKeys << k + kBarWidth / 2;
    }
    qint64 sampleCount = 0;
    for (qint64 c : samples)
        sampleCount += c;
    const QLocale locale;
    auto* realBars = new QCPBars(plot()->xAxis, plot()->yAxis);
    realBars->setName(tr("real training images (%1)").arg(locale.toString(realImageCount)));
    realBars->setPen(Qt::NoPen);
    realBars->setBrush(kRealBarColor);
    realBars->setWidth(kBarWidth);
    realBars->setData(realKeys, realShare);
    auto* sampleBars = new QCPBars(plot()->xAxis, plot()->yAxis);
    sampleBars->setName(tr("samples (%1)").arg(locale.toString(sampleCount)));
    sampleBars->setPen(Qt::NoPen);
    sampleBars->setBrush(kSampleBarColor);
    sampleBars->setWidth(kBarWidth);
    sampleBars->setData(sampleKeys, sampleShare);
    if (real.isEmpty() || realImageCount <= 0)
        realBars->removeFromLegend();

    double top = 0.0;
    for (int k = 0; k < classes; ++k)
        top = qMax(top, qMax(sampleShare[k], realShare[k]));
    plot()->xAxis->setRange(-0.5, classes - 0.5);
    plot()->yAxis->setRange(0.0, qMax(0.05, top * 1.1));
    replotNow();  // lays out the axes: the label fitting needs their width
    layoutClassLabels();
    replotNow();
}

QString ClassHistogramChart::realBarsName() const
{
    return plot()->plottableCount() > 0 ? plot()->plottable(0)->name() : QString();
}

QString ClassHistogramChart::sampleBarsName() const
{
    return plot()->plottableCount() > 1 ? plot()->plottable(1)->name() : QString();
}

void ClassHistogramChart::resizeEvent(QResizeEvent* event)
{
    PlotPanel::resizeEvent(event);
    if (!names_.isEmpty() && layoutClassLabels())
        requestReplot();
}

bool ClassHistogramChart::layoutClassLabels()
{
    if (names_.isEmpty())
        return false;
    const QMargins margins = plot()->axisRect()->margins();
    const int axisWidth = qMax(1, plot()->width() - margins.left() - margins.right());
    const double perClass = double(axisWidth) / names_.size();
    const QFontMetrics metrics(plot()->xAxis->tickLabelFont());
    int widest = 0;
    for (const QString& name : names_)
        widest = qMax(widest, metrics.horizontalAdvance(name));

    // Level when every name fits its slot; else slanted, or upright when even slanted labels
    // would touch; and shortened when they would eat the bars' height.
    double rotation = 0.0;
    int maxWidth = widest;
    if (widest + metrics.averageCharWidth() > perClass) {
        const bool upright = perClass < 1.6 * metrics.height();
        rotation = upright ? -90.0 : -45.0;
        const double lift = upright ? 1.0 : std::sin(M_PI / 4);
        maxWidth = qMax(metrics.horizontalAdvance(QStringLiteral("Wm…")),
                        int(kMaxLabelHeightShare * plot()->height() / lift));
    }
    QStringList shown;
    for (const QString& name : names_)
        shown << metrics.elidedText(name, Qt::ElideRight, maxWidth);
    if (shown == shownLabels_ && rotation == rotation_)
        return false;
    shownLabels_ = shown;
    rotation_ = rotation;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int k = 0; k < shown.size(); ++k)
        ticker->addTick(k, shown[k]);
    plot()->xAxis->setTicker(ticker);
    plot()->xAxis->setTickLabelRotation(rotation);
    return true;
}

}  // namespace ebm::studio
