#pragma once
// What a studio export keeps of the run that made its pixels (issue 27: the JSON of the PNG's
// "ebm-studio" chunk, ebm/base/png_settings.h), and how a page takes such settings back into its
// fields: what the Sample and Inpaint pages share. No torch: the GUI thread builds and reads them.
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QUndoStack>

#include <optional>
#include <string>
#include <utility>

#include "ebm/base/json.h"
#include "ebm/schedule/schedule_curve.h"
#include "worker/studio_types.h"
#include "widgets/settings_form.h"
#include "widgets/snapshot_command.h"
#include "annealing/annealing_hub.h"
#include "annealing/sampling_types.h"

namespace ebm::studio {

/// The "command" of the pictures the Sample and Inpaint pages export; each page also takes the
/// pictures of the ebm command it stands for ("sample", "inpaint").
inline const QString kStudioSampleCommand = QStringLiteral("studio sample");
inline const QString kStudioInpaintCommand = QStringLiteral("studio inpaint");
/// A mask saved from the Inpaint page: its settings name the image it was painted for.
inline const QString kStudioInpaintMaskCommand = QStringLiteral("studio inpaint mask");

/// A model as a picture names it, as the ebm tool does: its file's base name, SHA-256 and which
/// weights; weights without a file (a training run's, the untrained stand-in) by description.
/// The SHA-256 is taken on the GUI thread once for each version (modification time and size) of
/// a file and kept: the bundled model (9 MB) costs a few tens of milliseconds on its first export.
ebm::Json modelSettings(const ModelInfo& model);

/// The settings text of a picture that a studio run made: format, version, the program's version,
/// `command`, the model (`model`, or the training weights the run says it sampled), the run's
/// sampling settings (the schedule as it ran, `run.temperatures`), "samples", then the keys of
/// `details` in their order. Empty when the run's settings cannot be read (then the picture is
/// written without).
std::string studioPictureSettings(const QString& command, const ModelInfo& model, const SamplingRunInfo& run,
                                  const ebm::Json& details = ebm::Json::object());

/// SHA-256 of a mask as a picture records it: of its pixels as 8-bit gray, row after row.
std::string maskPixelsSha256(const QImage& mask);

/// The sampling run of a picture's settings, as a page's annealing fields take it.
struct PictureSampling {
    /// Values by field key (annealing/sampling_fields.h): schedule (a preset, or the edited curve),
    /// steps, stepSize, sampler, precision, seed, denoiseJump.
    QJsonObject fields;
    int samples = 0;                                // how many the run drew
    std::optional<ebm::ScheduleCurve> editedCurve;  // the schedule, when no preset runs it
    ebm::Json settings;                             // all of them, for a page's own keys
};

/// Reads the sampling run of picture settings whose "command" is one of `commands`; `source`
/// names the picture in messages. False with `error` empty for another command (not the page's
/// picture); false with `error` (one line) when they hold no sampling run or a damaged one.
bool readPictureSampling(const std::string& json, const QString& source, const QStringList& commands,
                         PictureSampling& out, QString& error);

/// `base` with the values of `byFieldKey` (keys of `fields`' declarations) written into it,
/// through the session form of the fields: out-of-range numbers clamped, unknown choices refused
/// (false with `error`).
template <class S>
bool withFieldValues(const FieldSet<S>& fields, const QJsonObject& byFieldKey, const S& base, S& out, QString& error)
{
    QJsonObject session;
    for (const FieldSpec& spec : fields.specs())
        if (!spec.jsonKey.isEmpty() && byFieldKey.contains(spec.key))
            session.insert(spec.jsonKey, byFieldKey.value(spec.key));
    return fields.fromJson(session, out, error, base);
}

/// A picture's settings taken into a page as one undo step named `text` on `undo`: `target`
/// shows `after` through `show` (undo shows `before` again) and, when the picture's schedule is an
/// edited curve, the hub's curve editor (the Schedule page) takes `curve` in the same step, after
/// the fields, so that undoing leaves the fields as they were. False with `error`, changing
/// nothing, when the curve has nowhere to go.
template <class Target, class S>
bool applyAsOneStep(QUndoStack* undo, const QString& text, Target* target, void (Target::*show)(const S&), S before,
                    S after, AnnealingHub* hub, const std::optional<ebm::ScheduleCurve>& curve, QString& error)
{
    if (curve && !hub->hasCurveEditor()) {
        error = QObject::tr("its schedule is an edited curve, and there is no Schedule page to take it");
        return false;
    }
    undo->beginMacro(text);
    undo->push(snapshotCommand(target, show, std::move(before), std::move(after), text));
    if (curve)
        hub->requestCurve(*curve, text);
    undo->endMacro();
    return true;
}

}  // namespace ebm::studio
