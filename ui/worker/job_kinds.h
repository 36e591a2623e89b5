#pragma once
// The kinds of job that the loaded model's rules name: a model is not replaced while a training
// run or an evaluation uses it, a sampling run on the old model ends when another is opened, and
// Ctrl+S during training saves between two training steps.
#include <QString>

namespace ebm::studio {

/// Jobs that replace the model or write it (open, save).
inline const QString kModelJobKind = QStringLiteral("model");
/// A training run, in this process or in processes of its own; it hosts sampling guests.
inline const QString kTrainingJobKind = QStringLiteral("training");
inline const QString kEvaluationJobKind = QStringLiteral("evaluation");
/// Annealed Langevin runs of the Sample page (ui/annealing/sampling_job.h).
inline const QString kSamplingJobKind = QStringLiteral("sampling");

}  // namespace ebm::studio
