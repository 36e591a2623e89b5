// The Landscape page's jobs: paths and planes through image space measured with the model in
// use, and the chosen images (data set items, picture files, pictures picked on other pages)
// opened and fitted to it.
#include "pages/landscape/landscape_jobs.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <QElapsedTimer>
#include <QFileInfo>

#include <algorithm>
#include <optional>
#include <vector>

#include "ebm/base/error.h"
#include "ebm/io/dataset.h"
#include "ebm/io/image_file.h"
#include "ebm/sample/energy_path.h"
#include "ebm/sample/energy_plane.h"
#include "ebm/sample/sampler.h"
#include "jobs/job_control.h"
#include "worker/job_context.h"
#include "worker/tensor_images.h"

namespace ebm::studio {
namespace {

constexpr qint64 kProgressIntervalMs = 100;  // at most ten progress reports a second
constexpr int kGray = 1, kRgb = 3;
// Chains are drawn as polylines through every tenth state: enough to follow them, few points to draw.
constexpr int kChainRecordEvery = 10;

/// The network of the job: the weights in training while a run is active, else the loaded model.
ebm::EnergyNetImpl& imageModel(JobContext* context)
{
    ebm::EnergyNetImpl* net = context ? context->modelInUse().net : nullptr;
    if (!net)
        throw ebm::Error("no model is loaded yet: open an image model first");
    if (!net->config().isImageModel())
        throw ebm::Error("this model reads 2-D points; the landscape of images needs an image model");
    return *net;
}

/// The images of one request: its data set opened once, pictures read one by one, all fitted to
/// the model's channels and size (as float32 on the CPU).
class ImageSource {
public:
    ImageSource(const QString& dataSet, const ebm::ModelConfig& model)
        : spec_(dataSet.trimmed().toStdString()), channels_(model.inChannels), size_(model.imageSize)
    {
    }

    /// One image [C, H, W].
    torch::Tensor item(const LandscapeItem& item)
    {
        switch (item.source) {
        case LandscapeItem::Source::File: {
            const std::string path = item.file.trimmed().toStdString();
            if (path.empty())
                throw ebm::Error("no picture chosen: give a .png or .jpg file, or pick a data set item");
            // Centre-cropped to a square and resized to the model's size.
            return ebm::readImage(path, channels_, size_).to(torch::kFloat32);
        }
        case LandscapeItem::Source::SelectedSample:
        case LandscapeItem::Source::TableRow:
            if (item.picked.isNull())
                throw ebm::Error(missingPickText(item.source).toStdString());
            return picture(item.picked);
        case LandscapeItem::Source::DataSet:
            break;
        }
        const torch::Tensor& images = data();
        if (item.index < 0 || item.index >= images.size(0))
            throw ebm::Error(spec_ + " holds " + std::to_string(images.size(0)) + " images; there is no image " +
                             std::to_string(item.index) + " (indices count from 0)");
        return images[item.index];
    }

    /// The data set's first `count` images [N, C, H, W] (all of them when it holds fewer).
    torch::Tensor first(int count)
    {
        const torch::Tensor& images = data();
        return images.slice(0, 0, std::min<int64_t>(count, images.size(0)));
    }

    /// How the images were made to fit the model; empty when nothing was changed.
    QString conversion() const
    {
        QStringList notes = pictureNotes_;
        notes.removeDuplicates();
        if (!dataConversion_.isEmpty())
            notes.prepend(dataConversion_);
        return notes.join(QStringLiteral("; "));
    }

private:
    /// A picture picked on another page, fitted as a picture file is: centre-cropped to a
    /// square, resized to the model's size, its channels converted.
    torch::Tensor picture(const QImage& image)
    {
        const int side = std::min(image.width(), image.height());
        QImage fitted = image.width() == image.height()
                            ? image
                            : image.copy((image.width() - side) / 2, (image.height() - side) / 2, side, side);
        QStringList steps;
        if (side != size_ || image.width() != image.height()) {
            fitted = fitted.scaled(size_, size_, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
            steps << QObject::tr("%1x%2 resized to %3x%3").arg(image.width()).arg(image.height()).arg(size_);
        }
        const bool gray = image.format() == QImage::Format_Grayscale8 || image.format() == QImage::Format_Grayscale16;
        if (gray != (channels_ == kGray))   // Qt's conversion: luminance weights, or gray repeated
            steps << (channels_ == kGray ? QObject::tr("RGB turned to gray") : QObject::tr("gray repeated to RGB"));
        if (!steps.isEmpty())
            pictureNotes_ << QObject::tr("picked image converted for the model (%1)").arg(steps.join(QStringLiteral(", ")));
        return imageToTensor(fitted, channels_);
    }

    const torch::Tensor& data()
    {
        if (data_)
            return *data_;
        if (spec_.empty())
            throw ebm::Error("no data set given: fashion-mnist, a .npy file or a folder of pictures");
        // Test split; pictures are resized as they are read, arrays are fitted below.
        torch::Tensor images = ebm::openAnyDataset(spec_, channels_, size_, false).data;
        if (images.dim() == 3)
            images = images.unsqueeze(1);  // [N, H, W]: gray images
        if (images.dim() != 4)
            throw ebm::Error(spec_ + " holds arrays of " + std::to_string(images.dim()) +
                             " dimensions, not images [N, C, H, W] or [N, H, W]");
        if (images.size(0) == 0)
            throw ebm::Error(spec_ + " holds no images");
        images = images.to(torch::kFloat32);
        QStringList steps;
        const int64_t c = images.size(1), h = images.size(2), w = images.size(3);
        if (c != channels_) {
            if (c == kRgb && channels_ == kGray)
                images = images.mean(1, true);
            else if (c == kGray && channels_ == kRgb)
                images = images.expand({-1, kRgb, -1, -1}).contiguous();
            else
                throw ebm::Error(spec_ + " holds images of " + std::to_string(c) + " channels; the model reads " +
                                 std::to_string(channels_));
            steps << (channels_ == kGray ? QObject::tr("RGB averaged to gray") : QObject::tr("gray repeated to RGB"));
        }
        if (h != size_ || w != size_) {
            images = ebm::padOrCrop(images, size_);
            steps << QObject::tr("%1x%2 %3 to %4x%4").arg(w).arg(h).arg(h < size_ ? QObject::tr("padded") : QObject::tr("cropped")).arg(size_);
        }
        if (!steps.isEmpty())
            dataConversion_ = QObject::tr("data set images converted for the model (%1)").arg(steps.join(QStringLiteral(", ")));
        data_ = images.contiguous();
        return *data_;
    }

    std::string spec_;
    int channels_;
    int size_;
    std::optional<torch::Tensor> data_;
    QString dataConversion_;
    QStringList pictureNotes_;
};

QVector<double> toQVector(const std::vector<double>& values) { return QVector<double>(values.begin(), values.end()); }

LandscapeProfile profileOf(const ebm::EnergyPath& path, bool withImages)
{
    LandscapeProfile profile;
    profile.energies = toQVector(path.energies);
    profile.arcLength = toQVector(path.arcLength);
    profile.saddleIndex = path.saddleIndex;
    profile.barrier = path.barrier;
    if (withImages)
        profile.images = tensorToImages(path.images);
    return profile;
}

/// Reports no more than ten times a second, except where `always` says so.
class Throttle {
public:
    Throttle() { clock_.start(); }
    bool due(bool always)
    {
        if (!always && clock_.elapsed() < kProgressIntervalMs)
            return false;
        clock_.restart();
        return true;
    }

private:
    QElapsedTimer clock_;
};

QPointF pointAt(const torch::Tensor& coordinates, int64_t row)
{
    return QPointF(coordinates[row][0].item<double>(), coordinates[row][1].item<double>());
}

/// The map's values into the result.
void takeMap(const ebm::PlaneMap& map, LandscapePlaneResult& result)
{
    result.resolution = map.resolution;
    result.uMin = map.uMin;
    result.uMax = map.uMax;
    result.vMin = map.vMin;
    result.vMax = map.vMax;
    result.energies = toQVector(map.energies);
    result.gradU = toQVector(map.gradU);
    result.gradV = toQVector(map.gradV);
    result.scoreNorm = toQVector(map.scoreNorm);
    result.gradNormMax = map.gradNormMax;
    result.energyMin = map.energyMin;
    result.energyMax = map.energyMax;
    result.rowsDone = map.rowsDone;
    result.stopped = map.stopped;
}

/// Langevin chains from noise with the default schedule, their states every kChainRecordEvery
/// steps projected onto the plane. False when stopped.
bool projectChains(ebm::EnergyNetImpl& net, double sigma0, const ebm::ImagePlane& plane, int chains,
                   JobControl& control, JobReporter& report, LandscapePlaneResult& result)
{
    ebm::SamplingOptions options;   // the default schedule and step size
    options.numSamples = chains;
    options.reportEvery = kChainRecordEvery;
    options.finalDenoise = false;   // the chains' own last states, not the denoising jump
    const ebm::SamplerConfig config = ebm::makeSamplerConfig(options, sigma0);
    std::vector<torch::Tensor> states;
    Throttle throttle;
    const ebm::SampleResult sampled = ebm::annealedLangevin(
        net, config, {},
        [&](const ebm::SampleFrame& frame) {
            states.push_back(frame.state.to(torch::kCPU, torch::kFloat32).clone());
            if (throttle.due(frame.step == frame.totalSteps)) {
                report.progress(QVariant::fromValue(
                    LandscapePlaneProgress{LandscapePlaneProgress::Phase::Chains, frame.step, frame.totalSteps}));
            }
            return true;
        },
        control.cancelFlag());
    if (sampled.stopped || states.empty())
        return false;
    result.chainSteps = config.schedule.size();
    const ebm::PlaneProjection projected = ebm::projectTrajectory(plane, states);  // [T, N, 2], [T, N]
    const int64_t steps = projected.coordinates.size(0), count = projected.coordinates.size(1);
    for (int64_t chain = 0; chain < count; ++chain) {
        QVector<QPointF> line;
        for (int64_t t = 0; t < steps; ++t)
            line << QPointF(projected.coordinates[t][chain][0].item<double>(),
                            projected.coordinates[t][chain][1].item<double>());
        result.trajectories << line;
        result.finalDistances << projected.distances[steps - 1][chain].item<double>();
    }
    result.meanDistance = projected.distances.mean().item<double>();
    return true;
}

}  // namespace

const LandscapeLimits& landscapeLimits()
{
    static const LandscapeLimits limits{ebm::kMinPathPoints,         ebm::kMaxPathPoints,      ebm::kDefaultPathPoints,
                                        ebm::kDefaultNebIterations,  ebm::kMaxNebIterations,   ebm::kMinPlaneResolution,
                                        ebm::kMaxPlaneResolution,    ebm::kDefaultPlaneResolution,
                                        kChainRecordEvery};
    return limits;
}

QString describeItem(const LandscapeItem& item, const QString& dataSet)
{
    switch (item.source) {
    case LandscapeItem::Source::File:
        return item.file.trimmed().isEmpty() ? QObject::tr("(no file)") : QFileInfo(item.file.trimmed()).fileName();
    case LandscapeItem::Source::SelectedSample:
        return QObject::tr("the Sample page's selected sample");
    case LandscapeItem::Source::TableRow:
        return QObject::tr("the Energy table's selected row");
    case LandscapeItem::Source::DataSet:
        break;
    }
    const QString set = dataSet.trimmed();
    return QObject::tr("%1 #%2").arg(set.contains(QLatin1Char('/')) ? QFileInfo(set).fileName() : set).arg(item.index);
}

QString missingPickText(LandscapeItem::Source source)
{
    return source == LandscapeItem::Source::TableRow
               ? QObject::tr("select a row of the Energy page's image table first")
               : QObject::tr("select a sample on the Sample page first");
}

QVector<double> LandscapeProfile::fractions() const
{
    QVector<double> out;
    const double length = arcLength.isEmpty() ? 0.0 : arcLength.last();
    for (int i = 0; i < arcLength.size(); ++i)
        out << (length > 0.0 ? arcLength[i] / length : (arcLength.size() > 1 ? double(i) / (arcLength.size() - 1) : 0.0));
    return out;
}

void registerLandscapeTypes()
{
    qRegisterMetaType<LandscapePathFrame>();
    qRegisterMetaType<LandscapePathResult>();
    qRegisterMetaType<LandscapePlaneProgress>();
    qRegisterMetaType<LandscapePlaneResult>();
    qRegisterMetaType<LandscapeImages>();
}

QVariant LandscapePathJob::run(JobContext* context, JobControl& control, JobReporter& report)
{
    LandscapePathResult result;
    try {
        ebm::EnergyNetImpl& net = imageModel(context);
        ImageSource source(settings_.dataSet, net.config());
        const torch::Tensor a = source.item(settings_.from);
        const torch::Tensor b = source.item(settings_.to);
        result.conversion = source.conversion();
        const ebm::BatchEnergy energy = ebm::modelEnergy(net);

        const ebm::EnergyPath line = ebm::straightLinePath(energy, a, b, settings_.points);
        result.line = profileOf(line, true);
        LandscapePathFrame lineFrame;
        lineFrame.isLine = true;
        lineFrame.iterations = settings_.relax ? settings_.iterations : 0;
        lineFrame.force = line.finalForceNorm;
        lineFrame.profile = profileOf(line, false);
        report.progress(QVariant::fromValue(lineFrame));

        torch::Tensor stripImages = line.images;
        if (settings_.relax && control.cancelRequested()) {
            result.stopped = true;
        } else if (settings_.relax) {
            ebm::PathOptions options;
            options.points = settings_.points;
            options.nebIterations = settings_.iterations;
            Throttle throttle;
            int shownIteration = -1;   // the last band the page was sent
            const auto show = [&](int iteration, const ebm::EnergyPath& band) {
                LandscapePathFrame frame;
                frame.iteration = iteration;
                frame.iterations = settings_.iterations;
                frame.force = band.finalForceNorm;
                frame.profile = profileOf(band, false);
                report.progress(QVariant::fromValue(frame));
                shownIteration = iteration;
            };
            const auto onProgress = [&](int iteration, const ebm::EnergyPath& band) {
                const bool last = band.converged || iteration == settings_.iterations;
                // While paused every band is shown (a single step must be seen); iteration 0
                // is the line, already shown, unless the band pauses on it.
                const bool holding = control.pauseRequested();
                if ((iteration > 0 || holding) && throttle.due(last || holding))
                    show(iteration, band);
                if (last)
                    return true;
                // Pause, Step and Stop act between two steps; a pause shows the band it holds.
                return control.awaitNextStep(report, [&] {
                    if (shownIteration != iteration)
                        show(iteration, band);
                });
            };
            const ebm::EnergyPath relaxed = ebm::relaxedPath(energy, a, b, options, onProgress, control.cancelFlag());
            result.relaxed = profileOf(relaxed, true);
            result.iterationsRun = relaxed.iterationsRun;
            result.converged = relaxed.converged;
            result.finalForce = relaxed.finalForceNorm;
            result.stopped = relaxed.stopped;
            stripImages = torch::cat({line.images, relaxed.images});
        }
        result.stripColumns = settings_.points;
        result.stripRows = static_cast<int>(stripImages.size(0)) / settings_.points;
        result.strip = tensorToImage(ebm::makeGrid(stripImages, settings_.points, kStripPadding));
        result.ok = true;
    } catch (const std::exception& e) {
        result.error = firstLine(e.what());
        spdlog::warn("landscape path not measured: {}", result.error.toStdString());
    }
    return QVariant::fromValue(result);
}

QVariant LandscapePlaneJob::run(JobContext* context, JobControl& control, JobReporter& report)
{
    LandscapePlaneResult result;
    try {
        ebm::EnergyNetImpl& net = imageModel(context);
        const double sigma0 = context->modelInUse().sigma0;
        ImageSource source(settings_.dataSet, net.config());
        ebm::PlaneFit fit;
        if (settings_.principalComponents) {
            fit = ebm::planeOfPrincipalComponents(source.first(settings_.componentImages));
            for (int64_t i = 0; i < fit.points.coordinates.size(0); ++i) {
                result.points << pointAt(fit.points.coordinates, i);
                result.pointLabels << QString();
                result.pointDistances << fit.points.distances[i].item<double>();
            }
            // The set's mean is the plane's origin.
            result.points << QPointF(0.0, 0.0);
            result.pointLabels << QObject::tr("mean");
            result.pointDistances << 0.0;
        } else {
            fit = ebm::planeThroughImages(source.item(settings_.first), source.item(settings_.second),
                                          source.item(settings_.third));
            const QStringList names{QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C")};
            for (int64_t i = 0; i < fit.points.coordinates.size(0); ++i) {
                result.points << pointAt(fit.points.coordinates, i);
                result.pointLabels << names.value(static_cast<int>(i));
                result.pointDistances << fit.points.distances[i].item<double>();
            }
        }
        result.conversion = source.conversion();
        result.capturedVariance = fit.capturedVariance;

        ebm::PlaneMapOptions options;
        options.resolution = settings_.resolution;
        Throttle throttle;
        const auto progress = [&](int rowsDone, int totalRows) {
            if (throttle.due(rowsDone == 1 || rowsDone == totalRows))
                report.progress(QVariant::fromValue(
                    LandscapePlaneProgress{LandscapePlaneProgress::Phase::Map, rowsDone, totalRows}));
        };
        const ebm::PlaneMap map = ebm::energyPlaneMap(ebm::modelEnergy(net), fit.plane,
                                                      ebm::boundsAround(fit.points.coordinates), options, progress,
                                                      control.cancelFlag());
        takeMap(map, result);
        if (!result.stopped && settings_.chains > 0)
            result.stopped = !projectChains(net, sigma0, fit.plane, settings_.chains, control, report, result);
        result.ok = true;
    } catch (const std::exception& e) {
        result.error = firstLine(e.what());
        spdlog::warn("landscape plane not measured: {}", result.error.toStdString());
    }
    return QVariant::fromValue(result);
}

QVariant LandscapeImagesJob::run(JobContext* context, JobControl&, JobReporter&)
{
    LandscapeImages result;
    std::optional<ImageSource> source;
    QString modelProblem;
    try {
        source.emplace(dataSet_, imageModel(context).config());
    } catch (const std::exception& e) {
        modelProblem = firstLine(e.what());
    }
    for (const LandscapeItem& item : items_) {
        QImage image;
        QString error = modelProblem;
        if (source) {
            try {
                image = tensorToImage(source->item(item));
            } catch (const std::exception& e) {
                error = firstLine(e.what());
            }
        }
        result.images << image;
        result.errors << error;
    }
    return QVariant::fromValue(result);
}

}  // namespace ebm::studio
