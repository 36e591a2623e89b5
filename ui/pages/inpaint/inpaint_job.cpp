// The Inpaint page's jobs: image preparation, the annealed completion (through the sampling
// job's frame relay, with the known pixels clamped) and .npy export.
#include "pages/inpaint/inpaint_job.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "ebm/base/error.h"
#include "ebm/io/dataset.h"
#include "ebm/io/image_file.h"
#include "ebm/sample/inpainting.h"
#include "jobs/job_control.h"
#include "worker/job_context.h"
#include "worker/tensor_images.h"
#include "annealing/annealing_run.h"

namespace ebm::studio {
namespace {

torch::Tensor fromValues(const QVector<float>& values, std::vector<int64_t> shape)
{
    int64_t count = 1;
    for (int64_t d : shape)
        count *= d;
    if (count != values.size())
        throw ebm::Error("internal: " + std::to_string(values.size()) + " values for a shape of " + std::to_string(count));
    return torch::from_blob(const_cast<float*>(values.constData()), shape, torch::kFloat32).clone();
}

}  // namespace

void registerInpaintTypes()
{
    qRegisterMetaType<InpaintImage>();
    qRegisterMetaType<InpaintOutcome>();
    qRegisterMetaType<InpaintThumbnails>();
}

QVariant LoadInpaintImageJob::run(JobContext* context, JobControl&, JobReporter&)
{
    InpaintImage result;
    result.source = label_;
    try {
        if (!context->model.net)
            throw ebm::Error("no model is loaded yet");
        const ebm::ModelConfig& m = context->model.net->config();
        if (!m.isImageModel())
            throw ebm::Error("this model draws 2-D points; inpainting needs an image model");
        const std::string spec = spec_.toStdString();
        const bool picture = ebm::isImageFileName(spec);
        const ebm::Dataset set = ebm::openAnyDataset(spec, m.inChannels, m.imageSize, false);
        if (index_ < 0 || index_ >= set.size())
            throw ebm::Error(spec + " holds " + std::to_string(set.size()) + " images; there is no image " +
                             std::to_string(index_));
        const torch::Tensor image = set.data[index_].to(torch::kFloat32);
        if (picture) {
            const torch::Tensor original = ebm::readImage(spec, m.inChannels);
            result.conversion = original.size(1) == m.imageSize && original.size(2) == m.imageSize
                                    ? QObject::tr("as it is: %1").arg(imageShapeText(m.inChannels, m.imageSize, m.imageSize))
                                    : QObject::tr("%1 centre-cropped and resized to %2")
                                          .arg(imageShapeText(m.inChannels, original.size(1), original.size(2)),
                                               imageShapeText(m.inChannels, m.imageSize, m.imageSize));
        } else {
            result.conversion = QObject::tr("as the model reads the data set: %1")
                                    .arg(imageShapeText(image.size(0), image.size(1), image.size(2)));
        }
        result.channels = m.inChannels;
        result.size = m.imageSize;
        result.imagesInSource = static_cast<int>(set.size());
        result.pixels = tensorToFloats(image);
        result.image = tensorToImage(image);
        result.ok = true;
    } catch (const std::exception& e) {
        result.error = firstLine(e.what());
    }
    return QVariant::fromValue(result);
}

QVariant DataSetThumbnailsJob::run(JobContext* context, JobControl&, JobReporter&)
{
    InpaintThumbnails result;
    result.first = first_;
    try {
        if (!context->model.net || !context->model.net->config().isImageModel())
            throw ebm::Error("open an image model first");
        const ebm::ModelConfig& m = context->model.net->config();
        const ebm::Dataset set = ebm::openAnyDataset(spec_.toStdString(), m.inChannels, m.imageSize, false);
        result.imagesInSource = static_cast<int>(set.size());
        const int64_t first = std::clamp<int64_t>(first_, 0, std::max<int64_t>(0, set.size() - 1));
        result.first = static_cast<int>(first);
        const int64_t end = std::min<int64_t>(set.size(), first + std::max(1, count_));
        result.images = tensorToImages(set.data.slice(0, first, end));
    } catch (const std::exception& e) {
        result.error = firstLine(e.what());
    }
    return QVariant::fromValue(result);
}

QVariant InpaintJob::run(JobContext* context, JobControl& control, JobReporter& report)
{
    InpaintOutcome outcome;
    outcome.run.runId = runId_;
    outcome.channels = request_.channels;
    outcome.size = request_.size;
    try {
        const ModelInUse inUse = context->modelInUse();
        if (!inUse.net)
            throw ebm::Error("no model is loaded yet");
        const int64_t c = request_.channels, s = request_.size;
        const int64_t n = std::max(1, request_.sampling.numSamples);
        InpaintInput input;
        input.images = fromValues(request_.pixels, {1, c, s, s}).expand({n, c, s, s}).contiguous();
        const torch::Tensor generated = (fromValues(request_.mask, {1, 1, s, s}) > 0.5).to(torch::kFloat32);
        input.mask = ebm::featherMask(generated, request_.featherRadius);  // radius 0: the binary mask
        input.referenceNoise = request_.referenceNoise;
        const torch::Device device = ebm::deviceOf(*inUse.net);
        input.images = input.images.to(device);
        input.mask = input.mask.to(device);
        torch::Tensor samples;
        AnnealingRun run;
        run.settings = request_.sampling;
        run.runId = runId_;
        run.model = inUse;
        run.scheduleFeed = feed_;
        run.inpaint = &input;
        run.samples = &samples;
        outcome.run = runAnnealing(run, control, report);
        if (!outcome.run.failed && samples.defined()) {
            const torch::Tensor truth = input.images.to(torch::kCPU).slice(0, 0, 1);
            // Over the pixels the person marked, not the feathered edge.
            const torch::Tensor mse = ebm::maskedMse(samples, truth, generated);
            outcome.maskedMse = QVector<double>(mse.size(0));
            for (int64_t i = 0; i < mse.size(0); ++i)
                outcome.maskedMse[i] = mse[i].item<double>();
            outcome.completions = tensorToFloats(samples);
            outcome.images = tensorToImages(samples);
            outcome.count = static_cast<int>(samples.size(0));
        }
    } catch (const std::exception& e) {
        outcome.run.failed = true;
        outcome.run.message = firstLine(e.what());
        spdlog::error("inpainting failed: {}", outcome.run.message.toStdString());
    }
    return QVariant::fromValue(outcome);
}

QVariant WriteNpyJob::run(JobContext*, JobControl&, JobReporter&)
{
    try {
        std::vector<int64_t> shape(shape_.begin(), shape_.end());
        ebm::writeNpy(path_.toStdString(), fromValues(values_, shape));
        return QString();
    } catch (const std::exception& e) {
        return QString(firstLine(e.what()));
    }
}

}  // namespace ebm::studio
