// libFuzzer target: a studio session file opened by the main window, as File > Open Session does:
// Session::load, then each page's part applied to its widgets, and whatever that starts on the
// worker (an image to inpaint, a model to open) run until the worker is idle again. A session
// may only be refused with a message in the window: a crash, a sanitizer report, an exception
// escaping the event loop or a hang is a finding.
//
// The studio is built with clang for this target (./dev fuzz fuzz_session configures build-fuzz
// with the UI), so it is not part of CI's short fuzz pass. EBM_FUZZ_WRITE_SEED=FILE writes the
// session the studio saves with its defaults to FILE and exits: the seed corpus comes from it.
#include <QApplication>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <memory>

#include "worker/studio_engine.h"
#include "window/main_window.h"
#include "window/studio_settings.h"
#include "fuzz_support.h"

namespace {

// How long one input may keep the worker busy before the next is opened. A session starts at
// most an image load and a model load; they take milliseconds on the bundled files.
constexpr int kSettleMilliseconds = 3000;

struct Studio {
    QTemporaryDir folder;
    std::unique_ptr<ebm::studio::StudioSettings> settings;
    std::unique_ptr<ebm::studio::MainWindow> window;
};

void settle(Studio& studio)
{
    QElapsedTimer clock;
    clock.start();
    do {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    } while (studio.window->engine()->isBusy() && clock.elapsed() < kSettleMilliseconds);
    QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

// One window for the whole run, kept until exit (as the studio keeps it while sessions open).
Studio& studio()
{
    static Studio* instance = [] {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        static int argc = 1;
        static char name[] = "fuzz_session";
        static char* argv[] = {name, nullptr};
        new QApplication(argc, argv);
        QStandardPaths::setTestModeEnabled(true);
        auto* s = new Studio;
        s->settings = std::make_unique<ebm::studio::StudioSettings>(s->folder.filePath(QStringLiteral("settings.ini")));
        s->settings->setThreads(1);
        s->settings->setDevicePreference(QStringLiteral("cpu"));
        s->window = std::make_unique<ebm::studio::MainWindow>(s->settings.get());
        s->window->resize(1024, 700);
        s->window->show();
        s->window->startUp();  // the bundled model
        settle(*s);
        if (const QByteArray seed = qgetenv("EBM_FUZZ_WRITE_SEED"); !seed.isEmpty())
            std::exit(s->window->saveSession(QString::fromLocal8Bit(seed)) ? 0 : 1);
        return s;
    }();
    return *instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Studio& s = studio();
    const std::string path = ebm::fuzz::writeInput("session.ebmsession", data, size);
    s.window->openSession(QString::fromStdString(path));
    settle(s);
    return 0;
}
