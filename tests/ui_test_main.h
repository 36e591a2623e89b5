#pragma once
// main() of the widget tests: a QApplication (offscreen under ctest), test-mode settings, and
// OpenMP threads that sleep when idle instead of spinning on the cores the GUI thread needs.
#include <QApplication>
#include <QStandardPaths>
#include <QtTest/QtTest>

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
