// The Learn page's gallery of the built-in 2D data sets (issue 23): nothing is asked of the
// worker before the page is shown; once shown, one thumbnail per set with its points drawn; a
// click chooses the set in the Set box (the box's own signals, one undo step that Edit > Undo
// takes back, box and highlight included); the highlight follows the box; the strip hides and
// shows from the tabs' corner, remembered between runs; and the page fits 1024x700 with the strip
// shown, with full-size thumbnails at 1600x1000.
#include <QtTest/QtTest>

#include <QScrollArea>

#include <QAction>
#include <QComboBox>
#include <QHash>
#include <QImage>
#include <QKeySequence>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QUndoStack>

#include <algorithm>

#include "widgets/run_controls.h"
#include "annealing/annealing_hub.h"
#include "pages/learn/data_gallery.h"
#include "pages/learn/landscape_plot.h"
#include "pages/learn/learn_jobs.h"
#include "pages/learn/learn_view.h"
#include "ui_test_main.h"

using namespace ebm::studio;

namespace {

constexpr int kDefaultPoints = 4000;   // the page's weighted eight Gaussians
constexpr int kJobTimeoutMs = 120000;

/// The pixels that differ from the picture's most common colour (its background).
int drawnPixels(const QImage& picture)
{
    const QImage image = picture.convertToFormat(QImage::Format_ARGB32);
    QHash<QRgb, int> counts;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            ++counts[image.pixel(x, y)];
    int background = 0;
    for (int count : counts)
        background = std::max(background, count);
    return image.width() * image.height() - background;
}

/// Edit > Undo of the window.
QAction* editUndoAction(QWidget& window)
{
    for (QAction* action : window.findChildren<QAction*>(QString(), Qt::FindDirectChildrenOnly))
        if (action->shortcut() == QKeySequence(QKeySequence::Undo))
            return action;
    return nullptr;
}

/// `widget`'s rectangle in `ancestor`'s coordinates.
QRect rectIn(const QWidget* widget, const QWidget* ancestor)
{
    return {widget->mapTo(ancestor, QPoint(0, 0)), widget->size()};
}

/// Whether the whole thumbnail (picture and name) shows: inside the strip's scroll viewport,
/// which clipped the names when it kept an older height than the strip.
bool wholeInSight(DataGallery* gallery, const QString& name)
{
    const auto* scroll = gallery->findChild<QScrollArea*>();
    return scroll && scroll->viewport()->rect().contains(rectIn(gallery->button(name), scroll->viewport()));
}

}  // namespace

class TestUiLearnGallery : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    ebm::testing::StudioUnderTest studio_;
    LearnView* view_ = nullptr;
    DataGallery* gallery_ = nullptr;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        const QString model = ebm::testing::writeUntrainedModel(dir_.path(), QStringLiteral("tiny.ebm"), 16, 4, 1);
        studio_.open(dir_.path(), model);
        view_ = studio_.window->findChild<LearnView*>();
        QVERIFY(view_);
        gallery_ = view_->dataGallery();
        QVERIFY(gallery_);
        QCOMPARE(gallery_->objectName(), QStringLiteral("learnDataGallery"));
        // The page makes its data when it is made, shown or not.
        QTRY_COMPARE_WITH_TIMEOUT(view_->points().size(), kDefaultPoints, 20000);
    }

    void cleanupTestCase() { studio_.close(); }

    /// The studio starts fast: a page that was never shown has not asked for the thumbnails.
    void nothingIsAskedBeforeThePageIsShown()
    {
        QVERIFY(!view_->isVisible());   // the window opens on the Sample page
        QVERIFY(!gallery_->isLoading() && !gallery_->isLoaded());
        QVERIFY(!studio_.window->engine()->activeJob(kLearnGalleryJobKind));
        for (const QString& name : gallery_->names())
            QCOMPARE(drawnPixels(gallery_->thumbnail(name)), 0);   // blank until the points come

        AnnealingHub hub;
        QUndoStack undo;
        LearnView fresh(studio_.window->engine(), &hub, &undo);
        QTRY_COMPARE_WITH_TIMEOUT(fresh.points().size(), kDefaultPoints, 20000);
        QVERIFY(!fresh.dataGallery()->isLoading() && !fresh.dataGallery()->isLoaded());
        QVERIFY(!studio_.window->engine()->activeJob(kLearnGalleryJobKind));
    }

    void oneThumbnailPerDataSetOnceShown()
    {
        studio_.window->showPage(view_);
        QTRY_VERIFY_WITH_TIMEOUT(gallery_->isLoaded(), kJobTimeoutMs);
        QVERIFY(gallery_->isVisible());
        const QStringList names = learnDataNames();
        QVERIFY(names.size() >= 8);   // the two mixtures and the core's six toys
        QCOMPARE(gallery_->names(), names);
        int tiles = 0;
        for (QToolButton* button : gallery_->findChildren<QToolButton*>())
            tiles += button->objectName().startsWith(QLatin1String("learnGallery-")) ? 1 : 0;
        QCOMPARE(tiles, int(names.size()));
        for (const QString& name : names) {
            auto* tile = gallery_->findChild<QToolButton*>(QStringLiteral("learnGallery-") + name);
            QVERIFY2(tile, qPrintable(name));
            QCOMPARE(gallery_->button(name), tile);
            QVERIFY(tile->isVisible());
            QVERIFY(!tile->text().isEmpty());        // the name under the picture
            QVERIFY(tile->toolTip().contains(name));
            const QImage picture = gallery_->thumbnail(name);
            QVERIFY(!picture.isNull());
            QVERIFY2(drawnPixels(picture) > 100, qPrintable(name));
        }
        QCOMPARE(gallery_->button(QStringLiteral("toy:moons"))->text(), QStringLiteral("moons"));
        // The set in the Set box is the one highlighted, and only it.
        QCOMPARE(gallery_->current(), view_->dataBox()->currentText());
        int checked = 0;
        for (const QString& name : names)
            checked += gallery_->button(name)->isChecked() ? 1 : 0;
        QCOMPARE(checked, 1);
    }

    void aClickChoosesTheSetAndUndoTakesItBack()
    {
        QComboBox* box = view_->dataBox();
        const QString before = box->currentText();
        const QString target = QStringLiteral("toy:moons");
        QCOMPARE(before, QStringLiteral("weighted8"));
        QTRY_COMPARE_WITH_TIMEOUT(view_->dataName(), before, kJobTimeoutMs);
        const QVector<QPointF> pointsBefore = view_->points();
        QSignalSpy activated(box, &QComboBox::activated);
        QSignalSpy textActivated(box, &QComboBox::textActivated);

        QTest::mouseClick(gallery_->button(target), Qt::LeftButton);
        QCOMPARE(box->currentText(), target);
        QCOMPARE(activated.size(), 1);
        QCOMPARE(activated.at(0).at(0).toInt(), box->findText(target));
        QCOMPARE(textActivated.size(), 1);
        QCOMPARE(textActivated.at(0).at(0).toString(), target);
        QCOMPARE(gallery_->current(), target);
        QTRY_COMPARE_WITH_TIMEOUT(view_->dataName(), target, kJobTimeoutMs);
        QCOMPARE(view_->points().size(), view_->settings().count);
        QVERIFY(view_->points() != pointsBefore);

        QUndoStack* undo = studio_.window->undoStack();
        QCOMPARE(undo->undoText(), QStringLiteral("Load %1").arg(target));
        QAction* editUndo = editUndoAction(*studio_.window);
        QVERIFY(editUndo);
        QVERIFY(editUndo->isEnabled());
        editUndo->trigger();
        QCOMPARE(box->currentText(), before);
        QCOMPARE(view_->dataName(), before);
        QCOMPARE(view_->points(), pointsBefore);
        QCOMPARE(gallery_->current(), before);
        QVERIFY(gallery_->button(before)->isChecked());

        undo->redo();
        QCOMPARE(box->currentText(), target);
        QCOMPARE(view_->dataName(), target);
        QCOMPARE(gallery_->current(), target);
        undo->undo();
        QCOMPARE(view_->points(), pointsBefore);
    }

    void theHighlightFollowsTheSetBox()
    {
        QComboBox* box = view_->dataBox();
        const QString before = box->currentText();
        const QString rings = QStringLiteral("toy:rings");
        box->setCurrentIndex(box->findText(rings));
        QCOMPARE(gallery_->current(), rings);
        QVERIFY(gallery_->button(rings)->isChecked());
        QVERIFY(!gallery_->button(before)->isChecked());
        box->setCurrentIndex(box->findText(before));
        QCOMPARE(gallery_->current(), before);
    }

    void theStripHidesFromTheTabsCorner()
    {
        QToolButton* toggle = view_->dataGalleryToggle();
        QVERIFY(toggle);
        QCOMPARE(toggle->objectName(), QStringLiteral("learnDataGalleryToggle"));
        QCOMPARE(view_->tabs()->cornerWidget(Qt::TopRightCorner), toggle);
        QVERIFY(toggle->isVisible() && toggle->isChecked() && gallery_->isVisible());
        const int tabsHeight = view_->tabs()->height();
        toggle->click();
        QVERIFY(!gallery_->isVisible());
        QTRY_VERIFY(view_->tabs()->height() > tabsHeight);   // the tabs take the strip's room

        // Remembered between runs.
        QSettings store(dir_.filePath(QStringLiteral("gallery.ini")), QSettings::IniFormat);
        view_->saveSettings(store);
        toggle->click();
        QVERIFY(gallery_->isVisible());
        view_->restoreSettings(store);
        QVERIFY(!toggle->isChecked());
        QVERIFY(!gallery_->isVisible());
        toggle->click();
        QVERIFY(gallery_->isVisible());
        QTRY_COMPARE(view_->tabs()->height(), tabsHeight);
    }

    /// Shown for the first time wider than it was built: its height grows as its tiles do, and
    /// the names under them stay in sight (the scroll area kept the first height and cut them).
    void aFirstShowWiderThanBuiltKeepsTheNamesInSight()
    {
        DataGallery fresh(studio_.window->engine(), gallery_->names());
        fresh.resize(1116, fresh.height());
        fresh.show();
        QVERIFY(QTest::qWaitForWindowExposed(&fresh));
        QTest::qWait(50);
        QCOMPARE(fresh.thumbnailSize(), 96);
        for (const QString& name : fresh.names())
            QVERIFY2(wholeInSight(&fresh, name), qPrintable(name));
        QTRY_VERIFY_WITH_TIMEOUT(!fresh.isLoading(), 10000);
    }

    void fitsSmallAndLargeWindows()
    {
        MainWindow& w = *studio_.window;
        w.showPage(view_);
        view_->tabs()->setCurrentIndex(0);
        w.resize(1024, 700);
        QTest::qWait(100);
        QCOMPARE(w.size(), QSize(1024, 700));
        QVERIFY(gallery_->isVisible());
        QVERIFY(w.rect().contains(rectIn(gallery_, &w)));
        QVERIFY(gallery_->thumbnailSize() >= 64 && gallery_->thumbnailSize() <= 96);
        // Every thumbnail in sight, side by side, above the plane, and the run buttons too.
        for (const QString& name : gallery_->names())
            QVERIFY2(wholeInSight(gallery_, name), qPrintable(name));
        const QRect plane = rectIn(view_->landscapePlot(), &w);
        QVERIFY(w.rect().contains(plane));
        QVERIFY(plane.top() >= rectIn(gallery_, &w).bottom());
        for (QWidget* button : {static_cast<QWidget*>(view_->trainControls()->startButton()),
                                static_cast<QWidget*>(view_->sampleControls()->stopButton())})
            QVERIFY2(w.rect().contains(rectIn(button, &w)), "a run button is cut off");

        w.resize(1600, 1000);
        QTest::qWait(100);
        QCOMPARE(gallery_->thumbnailSize(), 96);
        for (const QString& name : gallery_->names()) {
            QVERIFY2(wholeInSight(gallery_, name), qPrintable(name));
            QVERIFY2(drawnPixels(gallery_->thumbnail(name)) > 100, qPrintable(name));   // redrawn at the new size
        }
        w.resize(1200, 800);
    }
};

EBM_UI_TEST_MAIN(TestUiLearnGallery)
#include "test_ui_learn_gallery.moc"
