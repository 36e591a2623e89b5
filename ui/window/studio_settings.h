#pragma once
// What the studio remembers between runs that belongs to no page (recent models, the runtime,
// the window's geometry; file dialogs keep their folders through widgets/file_dialogs.h), typed, over the QSettings store in which each page keeps its
// own settings.
#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>

#include <memory>

namespace ebm::studio {

class StudioSettings {
public:
    /// The per-user store (~/.config/EBM Studio/ebm-studio.conf on Linux).
    StudioSettings();
    /// A given INI file: tests use a temporary one.
    explicit StudioSettings(const QString& iniFile);

    /// The store itself: each page keeps its own settings here (StudioPage::saveSettings).
    QSettings& store() { return *store_; }

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

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray& geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray& state);

    void sync();

private:
    std::unique_ptr<QSettings> store_;
};

}  // namespace ebm::studio
