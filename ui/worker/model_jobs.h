#pragma once
// Short jobs on the worker's model and runtime: configure the device, open, save, export.
#include <QString>

#include "jobs/job.h"
#include "worker/job_kinds.h"

namespace ebm::studio {

class ConfigureRuntimeJob : public Job {
public:
    ConfigureRuntimeJob(QString device, int threads) : device_(std::move(device)), threads_(threads) {}
    QString kind() const override { return QStringLiteral("runtime"); }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QString device_;
    int threads_;
};

/// A job on one file; the jobs below differ only in their kind and in what run() does.
class FileJob : public Job {
public:
    FileJob(QString kind, QString path) : kind_(std::move(kind)), path_(std::move(path)) {}
    QString kind() const override { return kind_; }

protected:
    const QString& path() const { return path_; }

private:
    QString kind_;
    QString path_;
};

/// Opens a model file, or the bundled model when the path is empty. Result: true when opened.
class LoadModelJob : public FileJob {
public:
    explicit LoadModelJob(QString path) : FileJob(kModelJobKind, std::move(path)) {}
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;
};

class SaveModelJob : public FileJob {
public:
    explicit SaveModelJob(QString path) : FileJob(kModelJobKind, std::move(path)) {}
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;
};

/// Writes the model's weights in use as a PyTorch state_dict with the reference code's keys.
class ExportPytorchJob : public FileJob {
public:
    explicit ExportPytorchJob(QString path) : FileJob(QStringLiteral("export"), std::move(path)) {}
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;
};

/// Writes the model in use as a native checkpoint (the training run's, with its optimizer state,
/// when the weights came from it); failures go to the worker's problem(). Also what "save now"
/// does when it reaches a training job that has ended.
void saveModelTo(JobContext& context, const QString& path);

/// The Sample page takes the loaded model (a training run's weights): the model it kept
/// sampling until now is freed (StudioEngine::releaseKeptModel).
class ReleaseKeptModelJob : public Job {
public:
    QString kind() const override { return QStringLiteral("kept-model"); }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;
};

/// Writes the last sampling run's final samples as a .npy file.
class ExportSamplesJob : public FileJob {
public:
    explicit ExportSamplesJob(QString path) : FileJob(QStringLiteral("export"), std::move(path)) {}
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;
};

}  // namespace ebm::studio
