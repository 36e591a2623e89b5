#include "pages/landscape/path_panel.h"

#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPixmap>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

#include <cmath>

#include "ebm/base/png_settings.h"
#include "worker/studio_engine.h"
#include "widgets/safe_save.h"
#include "widgets/settings_form.h"
#include "pages/landscape/image_strip.h"
#include "pages/landscape/item_thumbnails.h"
#include "pages/landscape/landscape_fields.h"
#include "pages/landscape/path_chart.h"

namespace ebm::studio {
namespace {

constexpr int kLargeImageSide = 160;
constexpr int kChartExportWidth = 1200;
constexpr int kChartExportHeight = 700;
constexpr int kCsvDigits = 17;   // doubles read back exactly
const QString kThumbnailJobKind = QStringLiteral("landscape-path-images");
const char kPictureCommand[] = "studio-landscape-path";

QString number(double value) { return QString::number(value, 'g', 6); }

QPixmap large(const QImage& image)
{
    // Nearest neighbour: the model's pixels, not a blur of them.
    return image.isNull() ? QPixmap()
                          : QPixmap::fromImage(image.scaled(kLargeImageSide, kLargeImageSide, Qt::KeepAspectRatio,
                                                            Qt::FastTransformation));
}

}  // namespace

PathPanel::PathPanel(StudioEngine* engine, AnnealingHub* picks, UndoFieldBinder* undo, QWidget* parent)
    : LandscapePanel(engine, picks, tr("Start"), tr("Measure the line between the images (and relax it)"), true,
                     kThumbnailJobKind, {tr("From"), tr("To")}, parent)
{
    form_ = new SettingsForm<LandscapePathSettings>(landscapePathFields(), undo);
    barrier_ = newDetailsLabel(QStringLiteral("pathBarrier"));
    QHBoxLayout* exports = buildExports();
    QWidget* results = buildResults();
    layOut(
        form_,
        [this, exports](QVBoxLayout* column) {
            column->addWidget(barrier_);
            column->addLayout(exports);
        },
        results);
    connect(form_, &SettingsFormWidget::valuesChanged, this, &PathPanel::requestThumbnails);
    requestThumbnails();
    updateControls();
}

QHBoxLayout* PathPanel::buildExports()
{
    exportStrip_ = new QPushButton(tr("Strip PNG…"));
    exportStrip_->setToolTip(tr("The images along the path as one PNG (with the settings that made it)"));
    exportCsv_ = new QPushButton(tr("Profile CSV…"));
    exportCsv_->setToolTip(tr("Each point's arc length and energy on the line and on the relaxed path"));
    exportChart_ = new QPushButton(tr("Chart PNG…"));
    connect(exportStrip_, &QPushButton::clicked, this, &PathPanel::askExportStrip);
    connect(exportCsv_, &QPushButton::clicked, this, &PathPanel::askExportCsv);
    connect(exportChart_, &QPushButton::clicked, this, &PathPanel::askExportChart);
    auto* exports = new QHBoxLayout;
    exports->addWidget(exportStrip_);
    exports->addWidget(exportCsv_);
    exports->addWidget(exportChart_);
    return exports;
}

QWidget* PathPanel::buildResults()
{
    chart_ = new PathChart;
    strip_ = new ImageStrip;
    connect(chart_, &PathChart::cursorMoved, this, &PathPanel::showPoint);
    connect(strip_, &ImageStrip::columnChosen, chart_, &PathChart::setCursorIndex);
    linePicture_ = new QLabel;
    linePicture_->setObjectName(QStringLiteral("pathLineImage"));
    relaxedPicture_ = new QLabel;
    relaxedPicture_->setObjectName(QStringLiteral("pathRelaxedImage"));
    for (QLabel* picture : {linePicture_, relaxedPicture_}) {
        picture->setFixedSize(kLargeImageSide, kLargeImageSide);
        picture->setAlignment(Qt::AlignCenter);
        picture->setFrameShape(QFrame::StyledPanel);
    }
    linePicture_->setToolTip(tr("The point of the straight line under the chart's cursor"));
    relaxedPicture_->setToolTip(tr("The point of the relaxed path under the chart's cursor"));
    pointCaption_ = new QLabel(tr("Move the mouse along the chart to see each point."));
    pointCaption_->setWordWrap(true);
    pointCaption_->setFixedWidth(kLargeImageSide);
    auto* previews = new QWidget;
    auto* previewLayout = new QVBoxLayout(previews);
    previewLayout->setContentsMargins(0, 0, 0, 0);
    previewLayout->addWidget(linePicture_);
    previewLayout->addWidget(relaxedPicture_);
    previewLayout->addWidget(pointCaption_);
    previewLayout->addStretch(1);
    auto* top = new QWidget;
    auto* topLayout = new QHBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(chart_, 1);
    topLayout->addWidget(previews);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(top);
    split->addWidget(strip_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    return split;
}

LandscapePathSettings PathPanel::settings() const { return form_->settings(); }

void PathPanel::setSettings(const LandscapePathSettings& settings) { form_->setSettings(settings); }

void PathPanel::requestThumbnails()
{
    const LandscapePathSettings s = settings();
    showThumbnails(s.dataSet, pathItems(s));
}

void PathPanel::start()
{
    if (!canStart())
        return;
    LandscapePathSettings s = settings();
    // The run keeps the images picked now, whatever is selected on the other pages later.
    QString refusal;
    if (!takePickedImages({&s.from, &s.to}, &refusal)) {
        refuseStart(refusal);
        return;
    }
    if (!startRun(std::make_unique<LandscapePathJob>(s), tr("The worker refused the path: wait for the running job to end.")))
        return;
    runSettings_ = s;
    result_ = {};
    lastFrame_ = {};
    chart_->clear();
    strip_->clear();
    showPoint(-1);
    barrier_->clear();
    setStatus(tr("Measuring the line from %1 to %2…").arg(describeItem(s.from, s.dataSet), describeItem(s.to, s.dataSet)));
    updateControls();
}

void PathPanel::onProgress(const QVariant& value)
{
    if (!value.canConvert<LandscapePathFrame>())
        return;
    lastFrame_ = value.value<LandscapePathFrame>();
    chart_->setProfile(lastFrame_.isLine ? PathChart::Series::Line : PathChart::Series::Relaxed, lastFrame_.profile);
    if (lastFrame_.iterations > 0) {
        setProgress(lastFrame_.iteration, lastFrame_.iterations);
        showRelaxing();
    }
    if (!lastFrame_.isLine)
        barrier_->setText(tr("Relaxed path so far: highest at point %1, barrier ΔE = %2")
                              .arg(lastFrame_.profile.saddleIndex)
                              .arg(number(lastFrame_.profile.barrier)));
}

void PathPanel::showRelaxing()
{
    if (isPaused())
        setStatus(tr("Paused at iteration %1 of at most %2, largest force %3: Step (F10) takes one more, Resume (F6) "
                     "goes on.")
                      .arg(lastFrame_.iteration)
                      .arg(runSettings_.iterations)
                      .arg(number(lastFrame_.force)));
    else if (lastFrame_.isLine)
        setStatus(tr("Relaxing the path…"));
    else
        setStatus(tr("Relaxing the path: iteration %1 of at most %2, largest force %3")
                      .arg(lastFrame_.iteration)
                      .arg(lastFrame_.iterations)
                      .arg(number(lastFrame_.force)));
}

void PathPanel::onPausedChanged(bool) { showRelaxing(); }

void PathPanel::onFinished(const QVariant& value)
{
    result_ = resultOf<LandscapePathResult>(value);
    if (result_.ok && !result_.stopped)
        setProgressComplete();
    if (!result_.ok) {
        chart_->clear();
        if (!result_.error.isEmpty()) {
            setStatus(tr("No path: %1").arg(result_.error));
            Q_EMIT problem(tr("Landscape path: %1").arg(result_.error));
        } else {
            setStatus(tr("Stopped before the path was measured."));
        }
        updateControls();
        return;
    }
    chart_->setProfile(PathChart::Series::Line, result_.line);
    chart_->setProfile(PathChart::Series::Relaxed, result_.relaxed);
    strip_->setStrip(result_.strip, result_.stripColumns, result_.stripRows, kStripPadding);
    showBarriers();
    QString message;
    if (result_.relaxed.isEmpty())
        message = result_.stopped ? tr("Stopped: the straight line only.") : tr("Straight line measured.");
    else if (result_.stopped)
        message = tr("Stopped after %1 iterations.").arg(result_.iterationsRun);
    else if (result_.converged)
        message = tr("The band converged after %1 iterations.").arg(result_.iterationsRun);
    else
        message = tr("%1 iterations run; the largest force is still %2 (more iterations relax it further).")
                      .arg(result_.iterationsRun)
                      .arg(number(result_.finalForce));
    announce(message, result_.conversion);
    chart_->setCursorIndex(chart_->markedSaddle() >= 0 ? chart_->markedSaddle() : 0);
    showPoint(chart_->cursorIndex());
    updateControls();
}

void PathPanel::showBarriers()
{
    const auto describe = [](const LandscapeProfile& p) {
        return p.barrier > 0.0 ? tr("barrier ΔE = %1 at point %2").arg(number(p.barrier)).arg(p.saddleIndex)
                               : tr("no barrier (highest interior point %1, ΔE = %2)").arg(p.saddleIndex).arg(number(p.barrier));
    };
    QString text = tr("Line: %1.").arg(describe(result_.line));
    if (!result_.relaxed.isEmpty())
        text += QStringLiteral("\n") + tr("Relaxed: %1.").arg(describe(result_.relaxed));
    barrier_->setText(text);
}

int PathPanel::shownPoint() const { return chart_->cursorIndex(); }

void PathPanel::showPoint(int index)
{
    strip_->setCursorColumn(index);
    const bool hasLine = index >= 0 && index < result_.line.images.size();
    const bool hasRelaxed = index >= 0 && index < result_.relaxed.images.size();
    linePicture_->setPixmap(hasLine ? large(result_.line.images[index]) : QPixmap());
    relaxedPicture_->setPixmap(hasRelaxed ? large(result_.relaxed.images[index]) : QPixmap());
    relaxedPicture_->setVisible(!result_.relaxed.isEmpty() || result_.line.isEmpty());
    if (!hasLine) {
        pointCaption_->setText(tr("Move the mouse along the chart to see each point."));
        return;
    }
    QString caption = tr("Point %1 of %2\nline: E = %3").arg(index).arg(result_.line.energies.size())
                          .arg(number(result_.line.energies[index]));
    if (hasRelaxed)
        caption += QStringLiteral("\n") + tr("relaxed: E = %1").arg(number(result_.relaxed.energies[index]));
    pointCaption_->setText(caption);
}

void PathPanel::updateExports()
{
    const bool hasResult = result_.ok && !isRunning();
    exportStrip_->setEnabled(hasResult && !result_.strip.isNull());
    exportCsv_->setEnabled(hasResult);
    exportChart_->setEnabled(hasResult);
}

QString PathPanel::csvText() const
{
    QString text = QStringLiteral("index,line_arc_length,line_energy,relaxed_arc_length,relaxed_energy\n");
    const auto value = [](const QVector<double>& values, int i) {
        return i < values.size() ? QString::number(values[i], 'g', kCsvDigits) : QString();
    };
    for (int i = 0; i < result_.line.energies.size(); ++i)
        text += QStringLiteral("%1,%2,%3,%4,%5\n")
                    .arg(i)
                    .arg(value(result_.line.arcLength, i), value(result_.line.energies, i),
                         value(result_.relaxed.arcLength, i), value(result_.relaxed.energies, i));
    return text;
}

bool PathPanel::exportCsv(const QString& path, QString& error) const
{
    if (!result_.ok) {
        error = tr("There is no path to export yet: press Start first.");
        return false;
    }
    return saveBytes(path, csvText().toUtf8(), tr("energy profile"), error);
}

std::string PathPanel::pictureSettings() const
{
    ebm::Json settings = studioPictureHeader(kPictureCommand);
    const QJsonObject fields = landscapePathFields().toJson(runSettings_);
    settings["landscape"] = ebm::Json::parse(QJsonDocument(fields).toJson(QJsonDocument::Compact).toStdString());
    if (engine()->hasModel())
        settings["model"] = engine()->model().path.toStdString();
    return settings.dump();
}

bool PathPanel::exportStrip(const QString& path, QString& error) const
{
    if (!result_.ok || result_.strip.isNull()) {
        error = tr("There is no strip to export yet: press Start first.");
        return false;
    }
    return saveImage(result_.strip, path, "PNG", tr("image strip"), error, pictureSettings());
}

bool PathPanel::exportChart(const QString& path, QString& error) const
{
    if (chart_->exportPng(path, kChartExportWidth, kChartExportHeight))
        return true;
    error = tr("%1: the chart could not be written there; choose another folder").arg(path);
    return false;
}

void PathPanel::askExportStrip()
{
    askAndExport(tr("Export the image strip"), tr("PNG images (*.png)"), QStringLiteral("path-strip.png"),
                 [this](const QString& path, QString& error) { return exportStrip(path, error); });
}

void PathPanel::askExportCsv()
{
    askAndExport(tr("Export the energy profile"), tr("CSV (*.csv)"), QStringLiteral("energy-path.csv"),
                 [this](const QString& path, QString& error) { return exportCsv(path, error); });
}

void PathPanel::askExportChart()
{
    askAndExport(tr("Export the energy profile"), tr("PNG images (*.png)"), QStringLiteral("energy-path.png"),
                 [this](const QString& path, QString& error) { return exportChart(path, error); });
}

}  // namespace ebm::studio
