#pragma once
// The Learn page's settings, declared once: the side panel's boxes, the bars of the comparison
// and concentration tabs, QSettings group "learn" and the session's "learn" object come from
// these declarations. In sessions the training fields sit in a "train" object and the sampling
// fields in a "sample" object, as the page has always written them (a JSON key "train/width"
// names the "width" of "train").
#include <QJsonObject>
#include <QStringList>

#include <optional>

#include "ebm/base/defaults.h"
#include "ebm/schedule/sampling_options.h"
#include "ebm/schedule/schedule_curve.h"
#include "widgets/settings_form.h"
#include "pages/learn/learn_jobs.h"

namespace ebm::studio {

/// How the training sigmas spread from sigma min to sigma max (session value: the index).
enum class LearnSpread { Geometric, Linear, SingleSigma };
/// What sets the particles' temperature (session value: the index).
enum class LearnAnnealing { ToyDefault, SchedulePage, TemperatureSlider };

constexpr int kLearnDefaultCount = 4000;
constexpr int kLearnMaxPoints = 200000;
constexpr int kLearnSliderSteps = 1000;   // the temperature slider's positions
constexpr double kLearnExtent = 3.0;      // the plane shown: [-3, 3]^2 holds the radius-2 circle and its noise
/// The "Langevin vs MALA" tab's step size: 1.6 sigma0 at the default sigma0 0.1. Langevin is
/// stable below 2 sigma0 on the toy energies (their curvature is at most about 1/sigma0^2) and
/// its step-size bias grows as it nears that; the particles' default 0.02 shows none.
constexpr double kLearnLargeStepSize = 0.16;

struct LearnSettings {
    // Data
    int count = kLearnDefaultCount;
    int seed = 1;
    double brushRadius = 0.2;
    // Model and MDSM training
    int width = 128;
    int depth = 3;
    double sigmaMin = 0.05;
    double sigmaMax = 2.0;             // read as at least sigmaMin
    LearnSpread spread = LearnSpread::Geometric;
    double sigma0 = 0.1;
    double learningRate = 1e-3;
    int batch = 256;
    int steps = 2000;
    bool continueTraining = false;     // "go on from the current model"
    // Annealed Langevin sampling
    int particles = 500;
    double stepSize = ebm::kDefaultLangevinStepSize;
    ebm::Sampler sampler = ebm::kDefaultSampler;
    LearnAnnealing annealing = LearnAnnealing::ToyDefault;
    int sampleSteps = 1500;            // ebm::toy::defaultToySchedule's length
    int temperature = kLearnSliderSteps / 2;   // the slider's position (its own widget, not a form's)
    int speed = 10;
    bool arrows = true;
    // One sigma vs many
    int compareSteps = 2000;           // the training default: 800 leaves the MDSM modes unresolved
    double singleSigma = 0.1;
    // Langevin vs MALA
    double largeStepSize = kLearnLargeStepSize;
    // Measure concentration
    int dimension = 1024;
    double concentrationSigma = 0.3;
};

const FieldSet<LearnSettings>& learnFields();

/// The side panel's boxes: every field declared with a group, showing the defaults, without undo.
SettingsFormWidget* learnPanelForm(QWidget* parent);
/// A form of the fields `keys` alone (a tab's bar shows one per field, side by side).
SettingsFormWidget* learnFieldForm(const QStringList& keys, QWidget* parent);

/// The session object of the settings, "train" and "sample" nested (without data, points, model).
QJsonObject learnSettingsToJson(const LearnSettings& settings);
/// Settings from a session object; a field it lacks keeps its value in `current`, a choice index
/// out of range is clamped to the choices, as the page has always read them.
bool learnSettingsFromJson(const QJsonObject& session, const LearnSettings& current, LearnSettings& out,
                           QString& error);

/// The training run's settings (the seed is the data's).
LearnTrainSettings learnTrainSettings(const LearnSettings& settings);
/// `settings` with the training fields of `train` (its seed stays the data's).
void setLearnTrainSettings(LearnSettings& settings, const LearnTrainSettings& train);
/// The temperature at a slider position: logarithmic from 0.01 to 400.
double learnSliderTemperature(int position);
/// The schedule of a run of `settings.sampleSteps`: the Schedule page's curve when chosen and
/// given, else the toy schedule (the quick preset's shape from T = 100).
QVector<double> learnScheduleTemperatures(const LearnSettings& settings,
                                          const std::optional<ebm::ScheduleCurve>& edited);

}  // namespace ebm::studio
