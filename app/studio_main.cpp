// ebm-studio: the desktop studio. A thin main: runtime set-up, then the window; the model is
// loaded on the worker thread once the window shows, so the first frame comes at once.
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QIcon>
#include <QTabWidget>
#include <QTimer>

#include <spdlog/spdlog.h>

#include "ebm/runtime.h"
#include "log_relay.h"
#include "main_window.h"
#include "sample_view.h"
#include "studio_engine.h"
#include "studio_settings.h"
#include "train_view.h"

int main(int argc, char** argv)
{
    QElapsedTimer sinceLaunch;
    sinceLaunch.start();
    // Before torch starts its OpenMP pool: idle OpenMP threads that spin would take the cores the
    // GUI thread needs (on a 2-core machine the window would stutter during every job).
    if (qEnvironmentVariableIsEmpty("OMP_WAIT_POLICY"))
        qputenv("OMP_WAIT_POLICY", "PASSIVE");

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
    parser.addOption(sampleOption);
    parser.addOption(trainOption);
    parser.addOption(resumeOption);
    parser.process(app);

    spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
    ebm::studio::LogRelay::instance();  // the log panel sees everything from here on
    ebm::studio::StudioSettings settings;
    // The GUI thread does no arithmetic; the worker sets its own thread count on its thread.
    ebm::configureThreads(settings.threads());

    ebm::studio::MainWindow window(&settings);
    window.setLaunchTimer(sinceLaunch);
    window.show();
    const QString model = parser.positionalArguments().value(0);
    if (parser.isSet(sampleOption))
        QObject::connect(window.engine(), &ebm::studio::StudioEngine::modelLoaded, window.sampleView(),
                         &ebm::studio::SampleView::startSampling, Qt::SingleShotConnection);
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
