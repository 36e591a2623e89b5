// The live grid of samples (SampleGridWidget): its cells fill the area it is given, whatever its
// shape, stay inside it without overlapping, and a click selects the cell under it.
#include <QtTest/QtTest>

#include <QImage>
#include <QSignalSpy>

#include "widgets/sample_grid_widget.h"
#include "ui_test_main.h"

using namespace ebm::studio;

namespace {

QVector<QImage> grayImages(int count, int side = 28)
{
    QVector<QImage> images;
    for (int i = 0; i < count; ++i) {
        QImage image(side, side, QImage::Format_Grayscale8);
        image.fill(static_cast<uint>(i * 255 / qMax(1, count - 1)));
        images.push_back(image);
    }
    return images;
}

/// Every cell of `grid` lies inside it and no two cells overlap.
void checkCellsInsideAndApart(const SampleGridWidget& grid, int count)
{
    for (int i = 0; i < count; ++i) {
        const QRect cell = grid.cellRect(i);
        QVERIFY2(grid.rect().contains(cell), qPrintable(QStringLiteral("cell %1 leaves the widget").arg(i)));
        for (int j = i + 1; j < count; ++j)
            QVERIFY2(!cell.intersects(grid.cellRect(j)), qPrintable(QStringLiteral("cells %1 and %2 overlap").arg(i).arg(j)));
    }
}

}  // namespace

class SampleGridTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aWideAreaGetsMoreColumnsAndLargerCells()
    {
        // The 1600x1000 window's grid area is about this shape: a square 8 x 8 grid there gave
        // 55-pixel cells between wide empty margins.
        SampleGridWidget grid;
        grid.resize(900, 480);
        grid.setImages(grayImages(64));
        const int squareCell = (480 - 4) / 8 - 4;
        QVERIFY2(grid.cellRect(0).width() > squareCell + 10,
                 qPrintable(QStringLiteral("cells of %1 px, a square grid gives %2").arg(grid.cellRect(0).width()).arg(squareCell)));
        // Wider than tall: the first row holds more than 8 cells.
        QCOMPARE(grid.cellRect(8).top(), grid.cellRect(0).top());
        checkCellsInsideAndApart(grid, 64);
    }

    void aSquareAreaKeepsTheSquareGrid()
    {
        SampleGridWidget grid;
        grid.resize(480, 480);
        grid.setImages(grayImages(64));
        QCOMPARE(grid.cellRect(7).top(), grid.cellRect(0).top());
        QVERIFY(grid.cellRect(8).top() > grid.cellRect(0).top());  // 8 columns, as exports have
        checkCellsInsideAndApart(grid, 64);
    }

    void aTallAreaStacksTheCells()
    {
        SampleGridWidget grid;
        grid.resize(200, 800);
        grid.setImages(grayImages(16));
        QVERIFY(grid.cellRect(0).width() > (200 - 4) / 4 - 4);  // more than a 4 x 4 grid gives
        checkCellsInsideAndApart(grid, 16);
    }

    void aClickSelectsTheCellUnderIt()
    {
        SampleGridWidget grid;
        grid.resize(900, 480);
        grid.setImages(grayImages(64));
        QSignalSpy clicked(&grid, &SampleGridWidget::sampleClicked);
        for (int index : {0, 11, 63}) {
            QCOMPARE(grid.indexAt(grid.cellRect(index).center()), index);
            QTest::mouseClick(&grid, Qt::LeftButton, {}, grid.cellRect(index).center());
            QCOMPARE(clicked.last().at(0).toInt(), index);
        }
    }
};

EBM_UI_TEST_MAIN(SampleGridTest)
#include "test_ui_sample_grid.moc"
