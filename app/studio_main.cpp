// ebm-studio: the desktop studio. A thin main: runtime set-up, then the window; the model is
// loaded on the worker thread once the window shows, so the first frame comes at once.
#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QIcon>
#include <QTabWidget>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <unistd.h>

#include "ebm/nn/runtime.h"
#include "worker/studio_engine.h"
#include "widgets/log_relay.h"
#include "pages/evaluate/evaluate_view.h"
#include "pages/sample/sample_view.h"
#include "pages/train/train_view.h"
#include "window/main_window.h"
#include "window/studio_settings.h"

namespace {

/// What the command line asks for.
struct StudioOptions {
    QString model;
    bool sample = false;
    bool evaluate = false;
    bool train = false;
    QString resume;
};

/// Reads the command line with a plain QCoreApplication, before any window system is touched,
/// so that --help and --version print and exit on a machine without a display.
StudioOptions parseCommandLine(int& argc, char** argv)
{
    QCoreApplication core(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("ebm-studio"));
    QCoreApplication::setApplicationVersion(QStringLiteral(EBM_STUDIO_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Train and sample energy-based models (MDSM)."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("model"),
                                 QStringLiteral("model to open (.ebm or reference .pt); default: the bundled one"),
                                 QStringLiteral("[model]"));
    // For demonstrations and screenshots: start a job without a click.
    const QCommandLineOption sampleOption(QStringLiteral("sample"),
                                          QStringLiteral("start sampling as soon as the model is loaded"));
    const QCommandLineOption trainOption(QStringLiteral("train"),
                                         QStringLiteral("start training with the remembered settings"));
    const QCommandLineOption resumeOption(QStringLiteral("resume"),
                                          QStringLiteral("continue training a native checkpoint"),
                                          QStringLiteral("checkpoint"));
    const QCommandLineOption evaluateOption(QStringLiteral("evaluate"),
                                            QStringLiteral("evaluate the model as soon as it is loaded"));
    parser.addOption(sampleOption);
    parser.addOption(evaluateOption);
    parser.addOption(trainOption);
    parser.addOption(resumeOption);
    parser.process(core);  // --help, --version and mistakes end here
    StudioOptions options;
    options.model = parser.positionalArguments().value(0);
    options.sample = parser.isSet(sampleOption);
    options.evaluate = parser.isSet(evaluateOption);
    options.train = parser.isSet(trainOption);
    options.resume = parser.value(resumeOption);
    return options;
}

}  // namespace

// Busy-wait iterations of an idle OpenMP thread before it sleeps: libgomp counts about 100,000
// a millisecond.
constexpr long long kOpenMpSpinCount = 10000;

int main(int argc, char** argv)
{
    const StudioOptions options = parseCommandLine(argc, argv);
    // The launch time survives the restart below, so the start-up time logged is the whole of it.
    qint64 launchedAt = qgetenv("EBM_STUDIO_LAUNCHED_AT").toLongLong();
    if (launchedAt <= 0)
        launchedAt = QDateTime::currentMSecsSinceEpoch();
    // OpenMP's threads spin for about 3 ms after each parallel region by default (libgomp), which
    // takes the cores the GUI thread needs on a 2-core machine; waiting passively instead costs
    // every one of a Langevin step's hundred small regions a wake-up (16% of a Res12-16 step,
    // `ebm bench` with OMP_WAIT_POLICY=PASSIVE). A short spin, about 0.1 ms, keeps the threads
    // warm within a step and lets them sleep between jobs. libgomp reads its settings while it
    // loads, before main() runs: set them and start the program once more (a fraction of a second).
    if (qEnvironmentVariableIsEmpty("OMP_WAIT_POLICY") && qEnvironmentVariableIsEmpty("GOMP_SPINCOUNT")) {
        qputenv("GOMP_SPINCOUNT", QByteArray::number(kOpenMpSpinCount));
        qputenv("EBM_STUDIO_LAUNCHED_AT", QByteArray::number(launchedAt));
#ifdef __linux__
        ::execv("/proc/self/exe", argv);  // returns only on failure: then carry on as we are
#endif
    }

    ebm::keepFreedMemoryForReuse();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ebm-studio"));
    QApplication::setOrganizationName(QStringLiteral("EBM Studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("EBM Studio"));
    QApplication::setApplicationVersion(QStringLiteral(EBM_STUDIO_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.ebmstudio.EbmStudio"));
    // Installed: the theme's icon; from the build tree: the source file.
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("io.github.ebmstudio.EbmStudio"),
                                                 QIcon(QStringLiteral(EBM_RESOURCES_DIR "/icons/ebm-studio.svg"))));


    spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
    ebm::studio::LogRelay::instance();  // the log panel sees everything from here on
    ebm::studio::StudioSettings settings;
    // The GUI thread does no arithmetic; the worker sets its own thread count on its thread.
    ebm::configureThreads(settings.threads());

    ebm::studio::MainWindow window(&settings);
    window.setLaunchTime(launchedAt);
    qunsetenv("EBM_STUDIO_LAUNCHED_AT");  // not inherited by anything the studio starts
    window.show();
    const QString model = options.model;
    if (options.sample)
        QObject::connect(window.engine(), &ebm::studio::StudioEngine::modelLoaded, window.sampleView(),
                         &ebm::studio::SampleView::startSampling, Qt::SingleShotConnection);
    if (options.evaluate) {
        window.pages()->setCurrentWidget(window.evaluateView());
        QObject::connect(window.engine(), &ebm::studio::StudioEngine::modelLoaded, window.evaluateView(),
                         &ebm::studio::EvaluateView::startEvaluation, Qt::SingleShotConnection);
    }
    QTimer::singleShot(0, &window, [&window, model, train = options.train, resume = options.resume] {
        window.startUp(model);
        if (train || !resume.isEmpty())
            window.pages()->setCurrentWidget(window.trainView());
        if (!resume.isEmpty())
            window.trainView()->resumeFrom(resume);
        else if (train)
            window.trainView()->startTraining();
    });
    return app.exec();
}
