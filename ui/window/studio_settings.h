#pragma once
// Typed access to what the studio remembers between runs (QSettings underneath), so that
// keys and defaults live in one place.
#include <QByteArray>
#include <QMap>
#include <QSettings>
#include <QString>
#include <QStringList>

#include <memory>

#include "engine/studio_types.h"

namespace ebm::studio {

class StudioSettings {
public:
    /// The per-user store (~/.config/EBM Studio/ebm-studio.conf on Linux).
    StudioSettings();
    /// A given INI file: tests use a temporary one.
    explicit StudioSettings(const QString& iniFile);

    SamplingSettings sampling() const;
    void setSampling(const SamplingSettings& s);
    TrainingSettings training() const;
    void setTraining(const TrainingSettings& s);
    EvaluationSettings evaluation() const;
    void setEvaluation(const EvaluationSettings& s);

    static constexpr int kMaxRecentModels = 8;
    QStringList recentModels() const;
    void addRecentModel(const QString& path);
    void removeRecentModel(const QString& path);

    /// The model opened last; empty means the bundled one.
    QString lastModel() const;
    void setLastModel(const QString& path);

    QString devicePreference() const;   // "auto", "cpu", "cuda"
    void setDevicePreference(const QString& device);
    int threads() const;                // 0 = one per core
    void setThreads(int threads);

    bool denoisedPreview() const;
    void setDenoisedPreview(bool on);
    bool energyLogScale() const;
    void setEnergyLogScale(bool on);
    bool lossLogScale() const;
    void setLossLogScale(bool on);

    /// The Schedule page's curve ("ebm-schedule" JSON; empty before the first edit) and the
    /// person's own presets (name -> JSON).
    QString scheduleCurve() const;
    void setScheduleCurve(const QString& json);
    QMap<QString, QString> schedulePresets() const;
    void setSchedulePresets(const QMap<QString, QString>& presets);

    /// Last folder used by a file dialog of the given purpose ("model", "export", ...).
    QString lastFolder(const QString& purpose) const;
    void setLastFolder(const QString& purpose, const QString& folder);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray& geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray& state);

    void sync();

private:
    std::unique_ptr<QSettings> store_;
};

}  // namespace ebm::studio
