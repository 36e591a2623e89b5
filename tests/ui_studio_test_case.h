#pragma once
// The base of the widget tests on the studio window: a temporary folder with the tiny model (and
// what a test adds) written before the first test, and the window under test closed after each.
//
// moc reads this header through the `#include "moc_ui_studio_test_case.cpp"` at the end of each
// test that includes it (AUTOMOC generates that file from this header, per test executable).
#include <QObject>
#include <QString>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "ui_test_main.h"

namespace ebm::testing {

/// Derive a test class from it (with its own Q_OBJECT); QTest runs these slots for it.
class StudioTestCase : public QObject {
    Q_OBJECT
protected:
    QTemporaryDir dir_;
    QString tinyModel_;  // 16x16 images, width 2, seed 11
    StudioUnderTest studio_;

    /// What a test writes into the folder besides the tiny model, before its first test.
    virtual void writeTestFiles() {}

    ebm::studio::MainWindow& openWindow(const QString& model)
    {
        studio_.open(dir_.path(), model);
        return *studio_.window;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        tinyModel_ = writeUntrainedModel(dir_.path(), QStringLiteral("tiny.ebm"), 16, 2, 11);
        writeTestFiles();
    }

    void cleanup() { studio_.close(); }
};

}  // namespace ebm::testing
