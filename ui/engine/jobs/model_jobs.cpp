// The model and runtime jobs: thin, the work is the context's (engine/studio_worker.cpp).
#include "engine/jobs/model_jobs.h"

#include "engine/private/job_context.h"

namespace ebm::studio {

QVariant ConfigureRuntimeJob::run(JobContext* context, JobControl&, JobReporter&)
{
    context->configureRuntime(device_, threads_);
    return true;
}

QVariant LoadModelJob::run(JobContext* context, JobControl&, JobReporter&)
{
    return path().isEmpty() ? context->loadBundledModel() : context->loadModel(path());
}

QVariant SaveModelJob::run(JobContext* context, JobControl&, JobReporter&)
{
    context->saveModel(path());
    return true;
}

QVariant ExportPytorchJob::run(JobContext* context, JobControl&, JobReporter&)
{
    context->exportPytorch(path());
    return true;
}

QVariant ExportSamplesJob::run(JobContext* context, JobControl&, JobReporter&)
{
    context->exportSamplesNpy(path());
    return true;
}

}  // namespace ebm::studio
