// ebm-studio: the desktop studio. A thin main: runtime set-up, then the window; the model is
// loaded on the worker thread once the window shows, so the first frame comes at once.
#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QIcon>
#include <QTabWidget>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <unistd.h>

#include "ebm/runtime.h"
#include "log_relay.h"
#include "evaluate_view.h"
#include "main_window.h"
#include "sample_view.h"
#include "studio_engine.h"
#include "studio_settings.h"
#include "train_view.h"

int main(int argc, char** argv)
{
    // The launch time survives the restart below, so the start-up time logged is the whole of it.
    qint64 launchedAt = qgetenv("EBM_STUDIO_LAUNCHED_AT").toLongLong();
    if (launchedAt <= 0)
        launchedAt = QDateTime::currentMSecsSinceEpoch();
    // Idle OpenMP threads that spin would take the cores the GUI thread needs (on a 2-core
    // machine the window would stutter during every job), so they must wait passively. LibTorch's
    // libgomp reads OMP_WAIT_POLICY while it loads, before main() runs: setting it here alone is
    // too late, so set it and start the program once more (a fraction of a second).
    if (qEnvironmentVariableIsEmpty("OMP_WAIT_POLICY")) {
        qputenv("OMP_WAIT_POLICY", "PASSIVE");
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
    parser.process(app);

    spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
    ebm::studio::LogRelay::instance();  // the log panel sees everything from here on
    ebm::studio::StudioSettings settings;
    // The GUI thread does no arithmetic; the worker sets its own thread count on its thread.
    ebm::configureThreads(settings.threads());

    ebm::studio::MainWindow window(&settings);
    window.setLaunchTime(launchedAt);
    qunsetenv("EBM_STUDIO_LAUNCHED_AT");  // not inherited by anything the studio starts
    window.show();
    const QString model = parser.positionalArguments().value(0);
    if (parser.isSet(sampleOption))
        QObject::connect(window.engine(), &ebm::studio::StudioEngine::modelLoaded, window.sampleView(),
                         &ebm::studio::SampleView::startSampling, Qt::SingleShotConnection);
    if (parser.isSet(evaluateOption)) {
        window.pages()->setCurrentWidget(window.evaluateView());
        QObject::connect(window.engine(), &ebm::studio::StudioEngine::modelLoaded, window.evaluateView(),
                         &ebm::studio::EvaluateView::startEvaluation, Qt::SingleShotConnection);
    }
    QTimer::singleShot(0, &window, [&window, model, train = parser.isSet(trainOption),
                                    resume = parser.value(resumeOption)] {
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
