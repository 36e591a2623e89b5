#pragma once
// What the widget tests share: main() (a QApplication, offscreen under ctest, test-mode
// settings, OpenMP threads that sleep when idle instead of spinning on the cores the GUI thread
// needs), small untrained models to load, the studio window on its own settings and its F1 list.
#include <QApplication>
#include <QDir>
#include <QList>
#include <QPair>
#include <QStandardPaths>
#include <QtTest/QtTest>

#include <torch/torch.h>

#include "ebm/nn/model.h"
#include "ebm/io/checkpoint.h"
#include "worker/studio_engine.h"
#include "widgets/studio_page.h"
#include "window/main_window.h"
#include "window/studio_settings.h"

#include <unistd.h>

namespace ebm::testing {

/// libgomp reads OMP_WAIT_POLICY when it loads, before main(): set it and start the test once
/// more (returns only when it was already set, or when the restart fails).
inline void restartWithPassiveOpenMp(char** argv)
{
    if (qEnvironmentVariableIsEmpty("OMP_WAIT_POLICY")) {
        qputenv("OMP_WAIT_POLICY", "PASSIVE");
        ::execv("/proc/self/exe", argv);
    }
}

/// An untrained res6 energy model of 1-channel images saved as a native checkpoint in `folder`.
inline QString writeUntrainedModel(const QString& folder, const QString& name, int imageSize, int width,
                                   uint64_t seed)
{
    ebm::ModelConfig config;
    config.arch = ebm::Architecture::Res6;
    config.baseWidth = width;
    config.imageSize = imageSize;
    torch::manual_seed(seed);
    ebm::EnergyNet net = ebm::makeEnergyNet(config);
    ebm::Checkpoint cp;
    cp.model = config;
    cp.weights = ebm::collectWeights(*net);
    cp.format = "ebm-native-1";
    const QString path = QDir(folder).filePath(name);
    ebm::saveCheckpoint(cp, path.toStdString());
    return path;
}

/// A studio window as a person starts it, on its own settings file in `folder` (one worker
/// thread, CPU), with `model` loaded (the wait ends when it has, or after 20 s).
struct StudioUnderTest {
    std::unique_ptr<ebm::studio::StudioSettings> settings;
    std::unique_ptr<ebm::studio::MainWindow> window;

    void open(const QString& folder, const QString& model)
    {
        settings = std::make_unique<ebm::studio::StudioSettings>(QDir(folder).filePath(QStringLiteral("settings.ini")));
        settings->setThreads(1);
        settings->setDevicePreference(QStringLiteral("cpu"));
        window = std::make_unique<ebm::studio::MainWindow>(settings.get());
        window->resize(1200, 800);
        window->show();
        QSignalSpy loaded(window->engine(), &ebm::studio::StudioEngine::modelLoaded);
        window->startUp(model);
        loaded.wait(20000);
    }
    void close()
    {
        window.reset();  // before the settings it writes to
        settings.reset();
    }
};

/// Whether a row of an F1 list (keys, what they do) has keys containing `keys` and an action
/// containing `action`.
inline bool listsShortcut(const QList<QPair<QString, QString>>& rows, const QString& keys, const QString& action)
{
    for (const auto& [rowKeys, rowAction] : rows)
        if (rowKeys.contains(keys) && rowAction.contains(action))
            return true;
    return false;
}

/// The same for the keys a page lists itself (StudioPage::pageShortcuts).
inline bool listsShortcut(const QList<ebm::studio::StudioPage::ShortcutHelp>& help, const QString& keys,
                          const QString& action)
{
    QList<QPair<QString, QString>> rows;
    for (const auto& entry : help)
        rows.append({entry.keys, entry.action});
    return listsShortcut(rows, keys, action);
}

}  // namespace ebm::testing

#define EBM_UI_TEST_MAIN(TestClass)                       \
    int main(int argc, char** argv)                       \
    {                                                     \
        ebm::testing::restartWithPassiveOpenMp(argv);     \
        QApplication app(argc, argv);                     \
        QStandardPaths::setTestModeEnabled(true);         \
        TestClass test;                                   \
        return QTest::qExec(&test, argc, argv);           \
    }
