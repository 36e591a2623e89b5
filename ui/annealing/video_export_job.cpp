// A run's video on the worker thread: each distinct moment composed once with QPainter on a
// QImage, converted to rows of RGB bytes and fed to core's VideoWriter, which writes the file
// atomically at the end (or nothing, cancelled or failed).
#include "annealing/video_export_job.h"

#include <QFont>
#include <QObject>
#include <QFontMetrics>
#include <QPainter>
#include <QPolygonF>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include "ebm/base/error.h"
#include "ebm/io/run_video.h"
#include "ebm/io/video_file.h"
#include "jobs/job_control.h"
#include "worker/job_context.h"
#include "widgets/image_grid.h"

namespace ebm::studio {

const RunVideoLimits kRunVideoLimits{ebm::kDefaultVideoFps,    ebm::kMinVideoFps,     ebm::kMaxVideoFps,
                                     ebm::kDefaultVideoSeconds, ebm::kMaxVideoSeconds, ebm::kDefaultVideoHeight,
                                     ebm::kMinVideoHeight,      ebm::kMaxVideoHeight};

namespace {

using Clock = std::chrono::steady_clock;

// What a person follows without flooding the GUI thread's queue.
constexpr auto kProgressInterval = std::chrono::milliseconds(100);
// The look of the CLI's run videos (ebm/io/run_video.h).
constexpr QRgb kBackground = qRgb(ebm::kRunVideoBackground[0], ebm::kRunVideoBackground[1], ebm::kRunVideoBackground[2]);
constexpr QRgb kTextColour =
    qRgb(ebm::kRunVideoCaptionColour[0], ebm::kRunVideoCaptionColour[1], ebm::kRunVideoCaptionColour[2]);
// The chart beside the grid: 4:3 at the grid's height, its text a share of its height.
constexpr double kChartAspect = 4.0 / 3.0;
constexpr double kChartTextShare = 0.035;
constexpr int kMinChartTextPixels = 9;
constexpr double kChartLineShare = 1.0 / 300.0;  // the curves' width, of the chart's height
constexpr QRgb kTemperatureColour = qRgb(240, 150, 60);
constexpr QRgb kEnergyColour = qRgb(90, 170, 235);
constexpr QRgb kAxisColour = qRgb(120, 120, 120);
// An axis over values that do not change still gets a height.
constexpr double kFlatAxisHalfRange = 0.5;
constexpr double kEnergyAxisMargin = 0.05;  // of the energies' range, above and below

/// Where everything goes in a frame; the same for every frame of a video.
struct FrameLayout {
    QSize size;
    int scale = 1;   // whole pixels per picture pixel; 0: the picture is too large and shrunk to fit
    QRect picture;   // the grid or the sample, as shown
    QRect chart;     // RunVideoLayout::GridAndChart only
    QRect caption;   // with captions only
    QFont captionFont;
};

/// The picture of a moment at `scale`: the grid as the Sample page exports it (gaps of one image
/// pixel, enlarged with the images), or the one sample.
QImage composePicture(const RunVideoMoment& moment, RunVideoLayout layout, int scale)
{
    return layout == RunVideoLayout::SelectedSample ? composeGrid({moment.images.front()}, 1, 0, scale)
                                                    : composeGrid(moment.images, 0, scale, scale);
}

FrameLayout layOut(const RunVideoRequest& request, const QStringList& captions)
{
    const RunVideoOptions& options = request.options;
    FrameLayout layout;
    const QSize unscaled = composePicture(request.moments.front(), options.layout, 1).size();
    const int captionHeight =
        options.captions ? std::max(ebm::kRunVideoMinCaptionHeight, static_cast<int>(std::lround(options.height * ebm::kRunVideoCaptionHeightShare)))
                         : 0;
    const int area = options.height - captionHeight;
    const int chartWidth =
        options.layout == RunVideoLayout::GridAndChart ? static_cast<int>(std::lround(area * kChartAspect)) : 0;
    const int widest = std::max(1, ebm::kMaxRunVideoWidth - chartWidth);
    const double fit = std::min(double(area) / unscaled.height(), double(widest) / unscaled.width());
    // Whole multiples keep every picture's pixels square and equal; only a picture too large for
    // the frame is shrunk by a fraction.
    layout.scale = fit >= 1.0 ? static_cast<int>(fit) : 0;
    const QSize shown = layout.scale > 0 ? unscaled * layout.scale
                                         : QSize(std::max(1, static_cast<int>(unscaled.width() * fit)),
                                                 std::max(1, static_cast<int>(unscaled.height() * fit)));
    int captionWidth = 0;
    int captionLeft = 0;
    if (options.captions) {
        layout.captionFont.setPixelSize(std::max(1, static_cast<int>(std::lround(captionHeight * ebm::kRunVideoCaptionTextShare))));
        const QFontMetrics metrics(layout.captionFont);
        for (const QString& text : captions)
            captionWidth = std::max(captionWidth, metrics.horizontalAdvance(text));
        captionLeft = layout.captionFont.pixelSize() / 2;
    }
    const int content = shown.width() + chartWidth;
    const int wanted = std::max(content, options.captions ? captionWidth + 2 * captionLeft : 0);
    const int width = std::min(wanted + (wanted & 1), ebm::kMaxVideoSide);  // even: H.264 needs no padding
    layout.size = QSize(width, options.height);
    const int left = (width - content) / 2;
    layout.picture = QRect(QPoint(left, (area - shown.height()) / 2), shown);
    if (chartWidth > 0)
        layout.chart = QRect(left + shown.width(), 0, chartWidth, area);
    if (options.captions)
        layout.caption = QRect(captionLeft, area, width - 2 * captionLeft, captionHeight);
    return layout;
}

/// The temperature (log axis) and the mean energy over the exported steps, drawn once; each
/// frame adds its cursor.
class RunChart {
public:
    RunChart(const QVector<RunVideoMoment>& moments, QSize size)
        : image_(size, QImage::Format_RGB32), firstStep_(moments.front().step), lastStep_(moments.back().step)
    {
        image_.fill(kBackground);
        QFont font;
        font.setPixelSize(std::max(kMinChartTextPixels, static_cast<int>(std::lround(size.height() * kChartTextShare))));
        const QFontMetrics metrics(font);
        QVector<QPointF> temperatures, energies;  // (step, value)
        for (const RunVideoMoment& m : moments) {
            if (!m.final && m.temperature > 0.0 && std::isfinite(m.temperature))
                temperatures.push_back({double(m.step), std::log10(m.temperature)});
            if (std::isfinite(m.meanEnergy))
                energies.push_back({double(m.step), m.meanEnergy});
        }
        const auto [temperatureLow, temperatureHigh] = range(temperatures, 0.0);
        const auto [energyLow, energyHigh] = range(energies, kEnergyAxisMargin);
        const auto number = [](double v) { return QString::number(v, 'g', 3); };
        const QString labels[] = {number(std::pow(10.0, temperatureHigh)), number(std::pow(10.0, temperatureLow)),
                                  number(energyHigh), number(energyLow)};
        const int gap = metrics.height() / 2;
        const int left = std::max(metrics.horizontalAdvance(labels[0]), metrics.horizontalAdvance(labels[1])) + 2 * gap;
        const int right = std::max(metrics.horizontalAdvance(labels[2]), metrics.horizontalAdvance(labels[3])) + 2 * gap;
        const int top = metrics.height() + 2 * gap;
        const int bottom = metrics.height() + 2 * gap;
        plot_ = QRectF(left, top, std::max(1, size.width() - left - right), std::max(1, size.height() - top - bottom));
        lineWidth_ = std::max(1.0, size.height() * kChartLineShare);

        QPainter painter(&image_);
        painter.setFont(font);
        painter.setPen(QPen(QColor(kAxisColour), 1));
        painter.drawRect(plot_);
        painter.setRenderHint(QPainter::Antialiasing, true);
        drawCurve(painter, temperatures, temperatureLow, temperatureHigh, kTemperatureColour);
        drawCurve(painter, energies, energyLow, energyHigh, kEnergyColour);
        painter.setRenderHint(QPainter::Antialiasing, false);
        const qreal h = metrics.height();
        painter.setPen(QColor(kTemperatureColour));
        painter.drawText(QRectF(0, plot_.top() - h / 2, left - gap, h), Qt::AlignRight | Qt::AlignVCenter, labels[0]);
        painter.drawText(QRectF(0, plot_.bottom() - h / 2, left - gap, h), Qt::AlignRight | Qt::AlignVCenter, labels[1]);
        painter.drawText(QRectF(plot_.left(), gap, plot_.width(), h), Qt::AlignLeft | Qt::AlignVCenter,
                         QObject::tr("temperature (log scale)"));
        painter.setPen(QColor(kEnergyColour));
        painter.drawText(QRectF(plot_.right() + gap, plot_.top() - h / 2, right - gap, h), Qt::AlignLeft | Qt::AlignVCenter,
                         labels[2]);
        painter.drawText(QRectF(plot_.right() + gap, plot_.bottom() - h / 2, right - gap, h),
                         Qt::AlignLeft | Qt::AlignVCenter, labels[3]);
        painter.drawText(QRectF(plot_.left(), gap, plot_.width(), h), Qt::AlignRight | Qt::AlignVCenter,
                         QObject::tr("mean energy"));
        painter.setPen(QColor(kTextColour));
        const QRectF steps(plot_.left(), plot_.bottom() + gap, plot_.width(), h);
        painter.drawText(steps, Qt::AlignLeft | Qt::AlignVCenter, QObject::tr("step %1").arg(firstStep_));
        painter.drawText(steps, Qt::AlignRight | Qt::AlignVCenter, QString::number(lastStep_));
    }

    /// The chart with its cursor at `step`, at `area` of the frame.
    void draw(QPainter& painter, const QRect& area, int step) const
    {
        painter.drawImage(area.topLeft(), image_);
        const double x = area.left() + xOf(step);
        painter.setPen(QPen(QColor(kTextColour), lineWidth_));
        painter.drawLine(QPointF(x, area.top() + plot_.top()), QPointF(x, area.top() + plot_.bottom()));
    }

private:
    /// The lowest and highest value, widened by `margin` of the range; a flat or empty series
    /// gets a range about its value.
    static std::pair<double, double> range(const QVector<QPointF>& points, double margin)
    {
        if (points.isEmpty())
            return {-kFlatAxisHalfRange, kFlatAxisHalfRange};
        double low = points.front().y(), high = low;
        for (const QPointF& p : points) {
            low = std::min(low, p.y());
            high = std::max(high, p.y());
        }
        if (high - low <= 1e-12 * std::max(1.0, std::abs(high)))
            return {low - kFlatAxisHalfRange, high + kFlatAxisHalfRange};
        const double widen = (high - low) * margin;
        return {low - widen, high + widen};
    }

    double xOf(int step) const
    {
        const int span = std::max(1, lastStep_ - firstStep_);
        return plot_.left() + plot_.width() * double(step - firstStep_) / span;
    }

    void drawCurve(QPainter& painter, const QVector<QPointF>& points, double low, double high, QRgb colour) const
    {
        QPolygonF line;
        for (const QPointF& p : points)
            line << QPointF(xOf(static_cast<int>(p.x())), plot_.bottom() - plot_.height() * (p.y() - low) / (high - low));
        painter.setPen(QPen(QColor(colour), lineWidth_));
        painter.drawPolyline(line);
    }

    QImage image_;
    QRectF plot_;
    int firstStep_;
    int lastStep_;
    double lineWidth_ = 1.0;
};

/// The frame as rows of RGB bytes, no padding between rows (QImage pads rows to 4 bytes).
void toRgbRows(const QImage& frame, std::vector<uint8_t>& rgb)
{
    const QImage packed = frame.convertToFormat(QImage::Format_RGB888);
    const size_t row = static_cast<size_t>(packed.width()) * 3;
    rgb.resize(row * packed.height());
    for (int y = 0; y < packed.height(); ++y)
        std::memcpy(rgb.data() + row * y, packed.constScanLine(y), row);
}

void checkMoments(const RunVideoRequest& request)
{
    const std::string path = request.path.toStdString();
    if (request.moments.isEmpty())
        throw ebm::Error(path + ": no recorded moment of the run was chosen, so there is no video to write");
    const RunVideoMoment& first = request.moments.front();
    for (const RunVideoMoment& m : request.moments) {
        const bool same = !m.images.isEmpty() && m.images.size() == first.images.size() &&
                          std::all_of(m.images.begin(), m.images.end(),
                                      [&](const QImage& image) { return image.size() == first.images.front().size(); });
        if (!same || first.images.front().isNull())
            throw ebm::Error(path + ": the recorded moments hold pictures of different sizes (step " +
                             std::to_string(m.step) + ")");
    }
}

}  // namespace

QString runVideoOutputProblem(const QString& path)
{
    try {
        ebm::checkVideoOutput(path.toStdString());
    } catch (const std::exception& e) {
        return firstLine(e.what());
    }
    return {};
}

QVector<int> runVideoFrameOrder(int moments, int fps, double seconds)
{
    const std::vector<int> order = ebm::videoFrameOrder(moments, fps, seconds);
    return QVector<int>(order.begin(), order.end());
}

QString runVideoCaption(const RunVideoMoment& moment, int totalSteps)
{
    ebm::RunVideoFrame frame;
    frame.step = moment.step;
    frame.totalSteps = totalSteps;
    frame.temperature = moment.temperature;
    frame.denoised = moment.final;
    const QString caption = QString::fromStdString(ebm::runFrameCaption(frame));
    return moment.denoisedPreview && !moment.final ? caption + QObject::tr("   denoised preview") : caption;
}

QVariant VideoExportJob::run(JobContext*, JobControl& control, JobReporter& report)
{
    RunVideoOutcome outcome;
    outcome.path = request_.path;
    const RunVideoOptions& options = request_.options;
    try {
        ebm::RunVideoSettings settings;
        settings.fps = options.fps;
        settings.seconds = options.seconds;
        settings.height = options.height;
        ebm::checkRunVideoSettings(settings);
        checkMoments(request_);
        QStringList captions;
        for (const RunVideoMoment& moment : request_.moments)
            captions << runVideoCaption(moment, request_.totalSteps);
        const FrameLayout layout = layOut(request_, captions);
        std::optional<RunChart> chart;
        if (!layout.chart.isEmpty())
            chart.emplace(request_.moments, layout.chart.size());
        const QVector<int> order = runVideoFrameOrder(static_cast<int>(request_.moments.size()), options.fps, options.seconds);

        ebm::VideoWriter writer(request_.path.toStdString(), layout.size.width(), layout.size.height(),
                                ebm::VideoSettings{options.fps, options.lossless});
        int composedIndex = -1;
        std::vector<uint8_t> rgb;
        Clock::time_point lastReport{};
        for (int i = 0; i < order.size(); ++i) {
            if (control.cancelRequested()) {
                writer.cancel();
                outcome.stopped = true;
                return QVariant::fromValue(outcome);
            }
            const int index = order.at(i);
            if (index != composedIndex) {
                const RunVideoMoment& moment = request_.moments.at(index);
                QImage frame(layout.size, QImage::Format_RGB32);
                frame.fill(kBackground);
                QPainter painter(&frame);
                QImage picture = composePicture(moment, options.layout, std::max(1, layout.scale));
                if (layout.scale == 0)  // nearest neighbour, as the whole multiples
                    picture = picture.scaled(layout.picture.size(), Qt::IgnoreAspectRatio, Qt::FastTransformation);
                painter.drawImage(layout.picture.topLeft(), picture);
                if (chart)
                    chart->draw(painter, layout.chart, moment.step);
                if (options.captions) {
                    painter.setFont(layout.captionFont);
                    painter.setPen(QColor(kTextColour));
                    painter.drawText(layout.caption, Qt::AlignLeft | Qt::AlignVCenter, captions.at(index));
                }
                painter.end();
                toRgbRows(frame, rgb);
                composedIndex = index;
            }
            writer.addFrame(rgb);
            if (i + 1 == order.size() || Clock::now() - lastReport >= kProgressInterval) {
                report.progress(QVariant::fromValue(RunVideoProgress{i + 1, static_cast<int>(order.size())}));
                lastReport = Clock::now();
            }
        }
        if (control.cancelRequested()) {
            writer.cancel();
            outcome.stopped = true;
            return QVariant::fromValue(outcome);
        }
        writer.finish();
        outcome.frames = writer.frameCount();
        outcome.width = writer.encodedWidth();
        outcome.height = writer.encodedHeight();
    } catch (const std::exception& e) {
        // The writer, destroyed unfinished, has left no file.
        outcome.failed = true;
        outcome.message = firstLine(e.what());
    }
    return QVariant::fromValue(outcome);
}

}  // namespace ebm::studio
