// The Energy page's job: one set opened, converted for the model, transformed and scored.
#include "pages/energy/energy_job.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <ATen/CPUGeneratorImpl.h>

#include <QElapsedTimer>

#include <algorithm>
#include <filesystem>

#include "ebm/base/error.h"
#include "ebm/io/dataset.h"
#include "ebm/io/image_file.h"
#include "ebm/train/mdsm.h"
#include "ebm/sample/energy_inspection.h"
#include "jobs/job_control.h"
#include "worker/job_context.h"
#include "worker/tensor_images.h"

namespace ebm::studio {
namespace {

namespace fs = std::filesystem;

constexpr qint64 kProgressIntervalMs = 100;  // at most ten progress reports a second
constexpr int kGray = 1, kRgb = 3;
constexpr int kKeepSize = 0;  // ebm::openDataset: images at their own size

bool isPictureFolder(const std::string& spec)
{
    std::error_code ec;
    if (!fs::is_directory(spec, ec))
        return false;
    bool pictures = false;
    for (const fs::directory_entry& entry : fs::directory_iterator(spec, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.find("ubyte") != std::string::npos || entry.path().extension() == ".bin")
            return false;  // an MNIST or CIFAR folder: ebm::openAnyDataset reads it
        pictures = pictures || ebm::isImageFileName(name);
    }
    return pictures;
}

/// The sorted picture files of a folder that were read (those not named in `skipped`).
QVector<QString> readPictureFiles(const std::string& folder, const std::vector<std::string>& skipped)
{
    std::vector<std::string> names;
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec))
        if (entry.is_regular_file(ec) && ebm::isImageFileName(entry.path().filename().string()))
            names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    QVector<QString> files;
    for (const std::string& name : names) {
        const std::string path = (fs::path(folder) / name).string();
        const bool wasSkipped = std::any_of(skipped.begin(), skipped.end(),
                                            [&](const std::string& why) { return why.find(path) != std::string::npos; });
        if (!wasSkipped)
            files.push_back(QString::fromStdString(name));
    }
    return files;
}

/// Images of an array or data set in the model's channels and size, or a clear refusal.
torch::Tensor fitToModel(torch::Tensor images, const std::string& spec, int channels, int size, QString& conversion)
{
    if (images.dim() == 3)
        images = images.unsqueeze(1);  // [N, H, W]: gray images
    if (images.dim() != 4)
        throw ebm::Error(spec + " holds arrays of " + std::to_string(images.dim()) +
                         " dimensions; images are [N, C, H, W] or [N, H, W]");
    images = images.to(torch::kFloat32);
    const int64_t c = images.size(1), h = images.size(2), w = images.size(3);
    QStringList steps;
    if (c != channels) {
        if (c == kRgb && channels == kGray)
            images = images.mean(1, true);
        else if (c == kGray && channels == kRgb)
            images = images.expand({-1, kRgb, -1, -1}).contiguous();
        else
            throw ebm::Error(spec + " holds images of " + std::to_string(c) + " channels; the model reads " +
                             std::to_string(channels));
        steps << (channels == kGray ? QObject::tr("RGB averaged to gray") : QObject::tr("gray repeated to RGB"));
    }
    if (h != size || w != size) {
        images = ebm::padOrCrop(images, size);
        steps << QObject::tr("%1x%2 %3 to %4x%4").arg(w).arg(h).arg(h < size ? QObject::tr("padded") : QObject::tr("cropped")).arg(size);
    }
    conversion = steps.isEmpty() ? QObject::tr("as it is: %1").arg(imageShapeText(channels, size, size))
                                 : QObject::tr("converted for the model (%1)").arg(steps.join(QStringLiteral(", ")));
    return images;
}

}  // namespace

void registerEnergyTypes()
{
    qRegisterMetaType<EnergyProgress>();
    qRegisterMetaType<EnergySetResult>();
    qRegisterMetaType<EnergyComparison>();
    qRegisterMetaType<EnergyImageViews>();
}

namespace {
torch::Tensor fromDoubles(const QVector<double>& values)
{
    return torch::from_blob(const_cast<double*>(values.constData()), {static_cast<int64_t>(values.size())},
                            torch::kFloat64)
        .clone();
}
}  // namespace

QVariant EnergyComparisonJob::run(JobContext*, JobControl&, JobReporter&)
{
    EnergyComparison result;
    try {
        const torch::Tensor inlier = fromDoubles(inlier_), outlier = fromDoubles(outlier_);
        result.auroc = ebm::auroc(inlier, outlier);
        for (const ebm::RocPoint& p : ebm::rocCurve(inlier, outlier)) {
            result.falsePositiveRate << p.falsePositiveRate;
            result.truePositiveRate << p.truePositiveRate;
        }
        if (!inlierResidual_.isEmpty() && !outlierResidual_.isEmpty())
            result.residualAuroc = ebm::auroc(fromDoubles(inlierResidual_), fromDoubles(outlierResidual_));
        result.ok = true;
    } catch (const std::exception& e) {
        result.error = firstLine(e.what());
    }
    return QVariant::fromValue(result);
}

QVariant EnergyImageViewsJob::run(JobContext* context, JobControl&, JobReporter&)
{
    EnergyImageViews views;
    try {
        if (!context || !context->model.net)
            throw ebm::Error("no model is loaded yet");
        const ebm::ModelConfig& m = context->model.net->config();
        const QImage image = image_.convertToFormat(m.inChannels == kGray ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
        if (image.width() != m.imageSize || image.height() != m.imageSize)
            throw ebm::Error("the image is not the model's size; score its set again");
        const torch::Tensor x = imageToTensor(image, m.inChannels).unsqueeze(0);
        // The same kind of seeded noise a measurement draws, so the view is reproducible.
        auto generator = at::make_generator<at::CPUGeneratorImpl>(seed_);
        const torch::Tensor noisy = x + noiseStd_ * at::randn(x.sizes(), generator);
        const torch::Device device = context->model.device;
        const torch::Tensor denoised =
            ebm::denoise(*context->model.net, noisy.to(device), context->model.info.sigma0).to(torch::kCPU);
        views.noisy = tensorToImage(noisy[0].clamp(0, 1));
        views.denoised = tensorToImage(denoised[0].clamp(0, 1));
    } catch (const std::exception& e) {
        views.error = firstLine(e.what());
    }
    return QVariant::fromValue(views);
}

QVariant EnergyJob::run(JobContext* context, JobControl& control, JobReporter& report)
{
    EnergySetResult result;
    QElapsedTimer clock;
    clock.start();
    try {
        const ModelInUse inUse = context ? context->modelInUse() : ModelInUse{};
        ebm::EnergyNetImpl* model = inUse.net;
        if (!model)
            throw ebm::Error("no model is loaded yet");
        const ebm::ModelConfig& m = model->config();
        if (!m.isImageModel())
            throw ebm::Error("this model reads 2-D points; the energy inspector needs an image model");
        const double sigma0 = inUse.sigma0;
        const std::string spec = source_.spec.trimmed().toStdString();
        if (spec.empty())
            throw ebm::Error("no source given: a picture, folder or .npy path, or fashion-mnist");

        ebm::Dataset data;
        std::vector<std::string> skipped;
        if (source_.spec == kLastSamplesSpec) {
            if (!context->model.lastSamples.defined() || context->model.lastSamples.size(0) == 0)
                throw ebm::Error("the Sample page has no samples yet: sample first");
            data.data = context->model.lastSamples.clamp(0, 1);
            data.data = fitToModel(data.data, spec, m.inChannels, m.imageSize, result.conversion);
            result.conversion = QObject::tr("the Sample page's last samples, clipped to [0, 1]");
        } else if (isPictureFolder(spec)) {
            // Unreadable pictures are listed and left out rather than failing the whole folder.
            data = ebm::loadImageFolder(spec, m.inChannels, m.imageSize, &skipped);
            result.files = readPictureFiles(spec, skipped);
            result.conversion = QObject::tr("pictures centre-cropped and resized to %1")
                                    .arg(imageShapeText(m.inChannels, m.imageSize, m.imageSize));
        } else if (ebm::isImageFileName(spec)) {
            data = ebm::openAnyDataset(spec, m.inChannels, m.imageSize, source_.train);
            result.files = {QString::fromStdString(fs::path(spec).filename().string())};
            result.conversion = QObject::tr("picture centre-cropped and resized to %1")
                                    .arg(imageShapeText(m.inChannels, m.imageSize, m.imageSize));
        } else {
            // Opened at its own size (0 = keep): fitToModel converts it and says how.
            data = ebm::openAnyDataset(spec, m.inChannels, kKeepSize, source_.train);
            data.data = fitToModel(data.data, spec, m.inChannels, m.imageSize, result.conversion);
        }
        for (const std::string& why : skipped)
            result.skipped << QString::fromStdString(why);

        torch::Tensor rows = torch::arange(data.size(), torch::kInt64);
        if (!source_.classes.isEmpty()) {
            rows = ebm::classIndices(data, std::vector<int64_t>(source_.classes.begin(), source_.classes.end()));
            data.data = data.data.index_select(0, rows);
        }
        if (source_.limit > 0 && source_.limit < data.data.size(0)) {
            data.data = data.data.slice(0, 0, source_.limit);
            rows = rows.slice(0, 0, source_.limit);
        }
        if (!result.files.isEmpty() && source_.limit > 0)
            result.files.resize(std::min<qsizetype>(result.files.size(), source_.limit));
        const torch::Tensor images =
            ebm::applyTransforms(data.data, ebm::parseTransforms(source_.transforms.toStdString()), settings_.seed);

        ebm::EnergyInspectionOptions options;
        options.noiseStd = settings_.noiseStd;
        options.draws = settings_.draws;
        options.seed = settings_.seed;
        options.residual = settings_.residual;
        options.sigma0 = sigma0;
        QElapsedTimer sinceReport;
        sinceReport.start();
        auto progress = [&](int64_t done, int64_t total) {
            if (sinceReport.elapsed() < kProgressIntervalMs && done < total)
                return;
            sinceReport.restart();
            report.progress(QVariant::fromValue(EnergyProgress{done, total}));
        };
        const ebm::ImageEnergies measured =
            ebm::measureImageEnergies(*model, images, options, progress, control.cancelFlag());
        result.energy = tensorToDoubles(measured.energy);
        result.spread = tensorToDoubles(measured.spread);
        if (measured.residual.defined())
            result.residual = tensorToDoubles(measured.residual);
        const torch::Tensor r = rows.contiguous();
        result.rows = QVector<qint64>(r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel());
        result.images = tensorToImages(images);
        result.ok = true;
    } catch (const ebm::Cancelled&) {
        result.cancelled = true;
        result.error = QObject::tr("cancelled");
    } catch (const std::exception& e) {
        result.error = firstLine(e.what());
        spdlog::warn("energy set '{}' not scored: {}", source_.name.toStdString(), result.error.toStdString());
    }
    result.seconds = clock.elapsed() / 1000.0;
    return QVariant::fromValue(result);
}

}  // namespace ebm::studio
