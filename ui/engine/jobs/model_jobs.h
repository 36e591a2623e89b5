#pragma once
// Short jobs on the worker's model and runtime: configure the device, open, save, export.
#include <QString>

#include "engine/job.h"

namespace ebm::studio {

/// Kind shared by the jobs that replace the model or write it.
inline const QString kModelJobKind = QStringLiteral("model");

class ConfigureRuntimeJob : public Job {
public:
    ConfigureRuntimeJob(QString device, int threads) : device_(std::move(device)), threads_(threads) {}
    QString kind() const override { return QStringLiteral("runtime"); }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QString device_;
    int threads_;
};

/// Opens a model file, or the bundled model when the path is empty. Result: true when opened.
class LoadModelJob : public Job {
public:
    explicit LoadModelJob(QString path) : path_(std::move(path)) {}
    QString kind() const override { return kModelJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QString path_;
};

class SaveModelJob : public Job {
public:
    explicit SaveModelJob(QString path) : path_(std::move(path)) {}
    QString kind() const override { return kModelJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QString path_;
};

/// Writes the last sampling run's final samples as a .npy file.
class ExportSamplesJob : public Job {
public:
    explicit ExportSamplesJob(QString path) : path_(std::move(path)) {}
    QString kind() const override { return QStringLiteral("export"); }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QString path_;
};

}  // namespace ebm::studio
