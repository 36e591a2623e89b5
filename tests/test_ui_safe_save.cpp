// The studio's one way to write a file from a Save or Export command (widgets/safe_save.h, on
// the engine's ebm::writeFileAtomically) and the session file written through it: a symbolic
// link at the target is followed and stays a link, the file behind it is replaced whole; a FIFO
// is refused at once and left as it was; links planted under temporary-looking names beside the
// target are not followed; a written PNG reads back. QSaveFile would rename over the FIFO;
// QImage::save or QFile would write into it and into the linked file in place.
#include <QtTest/QtTest>

#include <QElapsedTimer>
#include <QImage>
#include <QImageReader>
#include <QTemporaryDir>

#include "widgets/safe_save.h"
#include "window/session_file.h"
#include "ui_file_traps.h"
#include "ui_test_main.h"

using namespace ebm::studio;
using ebm::testing::HeldFifo;
using ebm::testing::LinkedFile;

namespace {

constexpr qint64 kPromptMs = 2000;  // a refusal only looks at the file: far less than this

}  // namespace

class TestUiSafeSave : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    QString pathIn(const QString& name) const { return QDir(dir_.path()).filePath(name); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void bytesThroughALinkReplaceTheLinkedFileWhole()
    {
        const LinkedFile target = LinkedFile::make(dir_.path(), QStringLiteral("report.json"),
                                                   QStringLiteral("report-real.json"));
        QVERIFY(target.ok());
        QString error;
        QVERIFY2(saveBytes(target.link, "{\"new\": true}\n", QStringLiteral("report"), error), qPrintable(error));
        QCOMPARE(target.realBytes(), QByteArray("{\"new\": true}\n"));
        QVERIFY(target.linkKept());
        QVERIFY(target.replacedWhole());
    }

    void bytesOntoAFifoAreRefusedAtOnce()
    {
        HeldFifo fifo(pathIn(QStringLiteral("pipe.json")));
        QVERIFY(fifo.ok());
        QString error;
        QElapsedTimer clock;
        clock.start();
        QVERIFY(!saveBytes(fifo.path(), "{}\n", QStringLiteral("report"), error));
        QVERIFY2(clock.elapsed() < kPromptMs, qPrintable(QString::number(clock.elapsed())));
        QVERIFY2(error.startsWith(fifo.path()) && error.contains(QLatin1String("not a regular file")),
                 qPrintable(error));
        QVERIFY(!error.contains(QLatin1Char('\n')));
        QVERIFY(fifo.stillAFifo());
        QCOMPARE(fifo.bytesInPipe(), qint64(0));
    }

    void linksPlantedAsTemporariesAreNotFollowed()
    {
        const QString victim = pathIn(QStringLiteral("victim.txt"));
        QFile victimFile(victim);
        QVERIFY(victimFile.open(QIODevice::WriteOnly));
        victimFile.write("keep me");
        victimFile.close();
        const QString target = pathIn(QStringLiteral("planted.csv"));
        const QStringList links = ebm::testing::plantTemporaryLookingLinks(target, victim);
        QCOMPARE(links.size(), 5);
        QString error;
        QVERIFY2(saveBytes(target, "a,b\n1,2\n", QStringLiteral("CSV table"), error), qPrintable(error));
        QVERIFY(ebm::testing::plantedLinksUntouched(links, victim, "keep me"));
        QFile written(target);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(written.readAll(), QByteArray("a,b\n1,2\n"));
        // Nothing left behind: the target and the five planted links.
        QCOMPARE(QDir(dir_.path()).entryList({QStringLiteral("*planted*")}, QDir::Files | QDir::System | QDir::Hidden)
                     .size(),
                 6);
    }

    void imagesAreEncodedByTheirSuffixAndReadBack()
    {
        QImage image(37, 23, QImage::Format_RGB32);
        image.fill(Qt::darkCyan);
        const LinkedFile target = LinkedFile::make(dir_.path(), QStringLiteral("grid.png"),
                                                   QStringLiteral("grid-real.png"));
        QVERIFY(target.ok());
        QString error;
        QVERIFY2(saveImage(image, target.link, nullptr, QStringLiteral("grid"), error), qPrintable(error));
        QVERIFY(target.linkKept());
        QVERIFY(target.replacedWhole());
        QImageReader reader(target.real);
        QCOMPARE(reader.format(), QByteArray("png"));
        const QImage back = reader.read();
        QCOMPARE(back.size(), QSize(37, 23));
        QCOMPARE(back.pixelColor(5, 5), QColor(Qt::darkCyan));

        // An explicit format wins over the name; an unknown suffix is refused before any write.
        const QString bitmap = pathIn(QStringLiteral("explicit.img"));
        QVERIFY2(saveImage(image, bitmap, "BMP", QStringLiteral("grid"), error), qPrintable(error));
        QCOMPARE(QImageReader(bitmap).format(), QByteArray("bmp"));
        const QString unknown = pathIn(QStringLiteral("grid.unknown"));
        QVERIFY(!saveImage(image, unknown, nullptr, QStringLiteral("grid"), error));
        QVERIFY2(error.startsWith(unknown) && error.contains(QLatin1String(".png")), qPrintable(error));
        QVERIFY(!QFileInfo::exists(unknown));
        QVERIFY(!saveImage(QImage(), pathIn(QStringLiteral("empty.png")), "PNG", QStringLiteral("grid"), error));

        HeldFifo fifo(pathIn(QStringLiteral("pipe.png")));
        QVERIFY(fifo.ok());
        QElapsedTimer clock;
        clock.start();
        QVERIFY(!saveImage(image, fifo.path(), nullptr, QStringLiteral("grid"), error));
        QVERIFY(clock.elapsed() < kPromptMs);
        QVERIFY2(error.contains(QLatin1String("not a regular file")), qPrintable(error));
        QVERIFY(fifo.stillAFifo());
        QCOMPARE(fifo.bytesInPipe(), qint64(0));
    }

    void sessionFilesKeepLinksAndRefusePipes()
    {
        Session session;
        session.modelPath = QStringLiteral("/models/mine.ebm");
        session.device = QStringLiteral("cpu");
        const LinkedFile target = LinkedFile::make(dir_.path(), QStringLiteral("work.ebmsession"),
                                                   QStringLiteral("work-real.ebmsession"));
        QVERIFY(target.ok());
        QString error;
        QVERIFY2(session.save(target.link, error), qPrintable(error));
        QVERIFY(target.linkKept());
        QVERIFY(target.replacedWhole());
        Session loaded;
        QVERIFY2(Session::load(target.link, loaded, error), qPrintable(error));
        QCOMPARE(loaded.modelPath, session.modelPath);
        QCOMPARE(loaded.device, QStringLiteral("cpu"));

        HeldFifo fifo(pathIn(QStringLiteral("pipe.ebmsession")));
        QVERIFY(fifo.ok());
        QElapsedTimer clock;
        clock.start();
        QVERIFY(!session.save(fifo.path(), error));
        QVERIFY(clock.elapsed() < kPromptMs);
        QVERIFY2(error.startsWith(fifo.path()) && error.contains(QLatin1String("not a regular file")),
                 qPrintable(error));
        QVERIFY(fifo.stillAFifo());
        QCOMPARE(fifo.bytesInPipe(), qint64(0));
    }
};

EBM_UI_TEST_MAIN(TestUiSafeSave)
#include "test_ui_safe_save.moc"
