// The job runner without a model: one job at a time, one busy state, queued / refused /
// replaced starts, handles that report progress and finish exactly once, cancel, pause and
// single step, and guest jobs that run between two steps of their host.
#include <QSignalSpy>
#include <QtTest/QtTest>

#include <atomic>
#include <memory>
#include <thread>

#include "jobs/job_control.h"
#include "jobs/job_runner.h"
#include "ui_test_main.h"

using namespace ebm::studio;

namespace {

/// How many counting jobs run at this moment, and the most that ever did at once.
std::atomic<int> g_running{0};
std::atomic<int> g_mostAtOnce{0};

/// Takes `steps` steps of about a millisecond, reporting each step's number, and returns how
/// many it took.
class CountingJob : public Job {
public:
    CountingJob(QString kind, int steps, bool hosts = false, bool guest = false)
        : kind_(std::move(kind)), steps_(steps), hosts_(hosts), guest_(guest) {}
    QString kind() const override { return kind_; }
    bool hostsGuests() const override { return hosts_; }
    bool canRunAsGuest() const override { return guest_; }
    QVariant run(JobContext*, JobControl& control, JobReporter& report) override
    {
        const int now = ++g_running;
        int most = g_mostAtOnce.load();
        while (now > most && !g_mostAtOnce.compare_exchange_weak(most, now)) {
        }
        int done = 0;
        const auto interject = [](const Interjection& work) {
            if (work.kind == Interjection::Kind::Guest)
                work.guest();
        };
        while (done < steps_ && control.awaitNextStep(report, {}, interject)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            ++done;
            report.progress(done);
        }
        --g_running;
        return done;
    }

private:
    QString kind_;
    int steps_;
    bool hosts_;
    bool guest_;
};

std::unique_ptr<Job> counting(const QString& kind, int steps) { return std::make_unique<CountingJob>(kind, steps); }

/// A job as the runner started it, with spies on its progress and its end made at once, before
/// it can report.
struct WatchedJob {
    explicit WatchedJob(JobHandle* started)
        : handle(started), progress(started, &JobHandle::progress), finished(started, &JobHandle::finished)
    {
    }
    QPointer<JobHandle> handle;
    QSignalSpy progress;
    QSignalSpy finished;
};

}  // namespace

class TestUiJobRunner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        g_running = 0;
        g_mostAtOnce = 0;
    }

    void runsOneJobAtATimeInOrderWithOneBusyState()
    {
        JobRunner runner(nullptr);
        QSignalSpy busy(&runner, &JobRunner::busyChanged);
        QVERIFY(!runner.isBusy());
        QPointer<JobHandle> first = runner.start(counting(QStringLiteral("a"), 30));
        QPointer<JobHandle> second = runner.start(counting(QStringLiteral("b"), 5));
        QVERIFY(first && second);
        QVERIFY(runner.isBusy());
        QCOMPARE(busy.count(), 1);
        QVERIFY(first->isRunning());
        QCOMPARE(second->status(), JobHandle::Status::Queued);
        QCOMPARE(runner.activeOfKind(QStringLiteral("b")), second.data());

        QStringList order;
        connect(first, &JobHandle::finished, this, [&] { order << QStringLiteral("a"); });
        connect(second, &JobHandle::started, this, [&] { order << QStringLiteral("b started"); });
        connect(second, &JobHandle::finished, this, [&] { order << QStringLiteral("b"); });
        QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy(), 5000);
        QCOMPARE(order, (QStringList{QStringLiteral("a"), QStringLiteral("b started"), QStringLiteral("b")}));
        QCOMPARE(g_mostAtOnce.load(), 1);
        QCOMPARE(busy.count(), 2);
        QCOMPARE(busy.last().at(0).toBool(), false);
        QVERIFY(!runner.activeOfKind(QStringLiteral("a")));
    }

    void refusesWhenAskedToWhileBusy()
    {
        JobRunner runner(nullptr);
        QPointer<JobHandle> first = runner.start(counting(QStringLiteral("a"), 20));
        QVERIFY(!runner.start(counting(QStringLiteral("b"), 1), JobRunner::StartPolicy::RefuseIfBusy));
        QSignalSpy finished(first.data(), &JobHandle::finished);
        QVERIFY(finished.wait(5000));
        QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy(), 5000);
        QPointer<JobHandle> later = runner.start(counting(QStringLiteral("b"), 1), JobRunner::StartPolicy::RefuseIfBusy);
        QVERIFY(later);
        QSignalSpy laterFinished(later.data(), &JobHandle::finished);
        QVERIFY(laterFinished.wait(5000));
        QCOMPARE(laterFinished.first().at(0).toInt(), 1);
    }

    void reportsEveryProgressAndFinishesExactlyOnce()
    {
        JobRunner runner(nullptr);
        WatchedJob job(runner.start(counting(QStringLiteral("a"), 12)));
        auto& [handle, progress, finished] = job;
        QVERIFY(finished.wait(5000));
        QCOMPARE(progress.count(), 12);
        for (int i = 0; i < progress.count(); ++i)
            QCOMPARE(progress.at(i).at(0).toInt(), i + 1);  // in order, before finished()
        QCOMPARE(finished.first().at(0).toInt(), 12);
        if (handle)
            handle->cancel();  // after the end: nothing more happens
        QTest::qWait(50);
        QCOMPARE(finished.count(), 1);
        QVERIFY(!handle);  // the handle deletes itself once finished() was delivered
    }

    /// Newest request wins: the running job of the same kind stops at its next step and the new
    /// one runs next; a queued one of that kind never starts; other kinds are untouched.
    void replaceCancelsTheSameKindAndRunsTheNewRequest()
    {
        JobRunner runner(nullptr);
        WatchedJob old(runner.start(counting(QStringLiteral("render"), 100000)));
        QVERIFY(old.progress.wait(5000));
        QPointer<JobHandle> other = runner.start(counting(QStringLiteral("other"), 3));
        QSignalSpy otherFinished(other.data(), &JobHandle::finished);

        QPointer<JobHandle> newer = runner.start(counting(QStringLiteral("render"), 5), JobRunner::StartPolicy::Replace);
        QVERIFY(newer);
        QSignalSpy newerStarted(newer.data(), &JobHandle::started);
        QSignalSpy newerFinished(newer.data(), &JobHandle::finished);
        QVERIFY(old.handle->cancelRequested());
        QVERIFY(old.finished.wait(5000));
        QVERIFY(old.finished.first().at(0).toInt() < 100000);  // stopped between two steps
        QVERIFY(newerFinished.wait(5000));
        QCOMPARE(newerStarted.count(), 1);
        QCOMPARE(newerFinished.first().at(0).toInt(), 5);
        QVERIFY(otherFinished.count() == 1 || otherFinished.wait(5000));
        QCOMPARE(otherFinished.first().at(0).toInt(), 3);  // another kind is not replaced

        // A queued request of the kind is dropped without running when a newer one arrives.
        QPointer<JobHandle> blocker = runner.start(counting(QStringLiteral("other"), 50));
        QPointer<JobHandle> queued = runner.start(counting(QStringLiteral("render"), 5));
        QSignalSpy queuedStarted(queued.data(), &JobHandle::started);
        QSignalSpy queuedFinished(queued.data(), &JobHandle::finished);
        QPointer<JobHandle> newest = runner.start(counting(QStringLiteral("render"), 2), JobRunner::StartPolicy::Replace);
        QCOMPARE(queuedFinished.count(), 1);
        QVERIFY(!queuedFinished.first().at(0).isValid());
        QCOMPARE(queuedStarted.count(), 0);
        QVERIFY(blocker && !blocker->cancelRequested());
        QSignalSpy newestFinished(newest.data(), &JobHandle::finished);
        QVERIFY(newestFinished.wait(5000));
        QCOMPARE(newestFinished.first().at(0).toInt(), 2);
        QCOMPARE(g_mostAtOnce.load(), 1);
    }

    void cancelEndsARunningJobAndDropsAQueuedOne()
    {
        JobRunner runner(nullptr);
        WatchedJob running(runner.start(counting(QStringLiteral("a"), 100000)));
        QPointer<JobHandle> queued = runner.start(counting(QStringLiteral("b"), 5));
        QSignalSpy queuedStarted(queued.data(), &JobHandle::started);
        QSignalSpy queuedFinished(queued.data(), &JobHandle::finished);
        queued->cancel();
        QCOMPARE(queuedFinished.count(), 1);  // at once, without waiting for the running job
        QCOMPARE(queuedStarted.count(), 0);
        QVERIFY(running.progress.wait(5000));
        QElapsedTimer answer;
        answer.start();
        running.handle->cancel();
        QVERIFY(running.finished.wait(5000));
        QVERIFY2(answer.elapsed() < 1000, qPrintable(QStringLiteral("cancel took %1 ms").arg(answer.elapsed())));
        QVERIFY(running.finished.first().at(0).toInt() < 100000);
        QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy(), 1000);
    }

    void pauseHoldsTheJobAndStepGivesExactlyOne()
    {
        JobRunner runner(nullptr);
        WatchedJob job(runner.start(counting(QStringLiteral("a"), 100000)));
        auto& [handle, progress, finished] = job;
        QSignalSpy paused(handle.data(), &JobHandle::pausedChanged);
        QVERIFY(progress.wait(5000));
        handle->pause();
        QVERIFY(paused.wait(5000));
        QVERIFY(handle->isPaused());
        QTest::qWait(30);
        progress.clear();
        QTest::qWait(100);
        QCOMPARE(progress.count(), 0);
        handle->step();
        QTRY_COMPARE_WITH_TIMEOUT(progress.count(), 1, 5000);
        QTest::qWait(100);
        QCOMPARE(progress.count(), 1);
        QVERIFY(handle->isPaused());
        handle->resume();
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() > 3, 5000);
        QVERIFY(!handle->isPaused());
        QCOMPARE(paused.last().at(0).toBool(), false);
        handle->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy(), 5000);
    }

    /// A guest (sampling from the weights in training) runs between two steps of its host, which
    /// keeps going afterwards; without a host it simply queues.
    void guestRunsInsideItsHost()
    {
        JobRunner runner(nullptr);
        WatchedJob host(runner.start(std::make_unique<CountingJob>(QStringLiteral("train"), 100000, true)));
        QVERIFY(host.progress.wait(5000));
        QPointer<JobHandle> guest =
            runner.start(std::make_unique<CountingJob>(QStringLiteral("sample"), 4, false, true),
                         JobRunner::StartPolicy::GuestOrQueue);
        QSignalSpy guestFinished(guest.data(), &JobHandle::finished);
        QVERIFY(guestFinished.wait(5000));
        QCOMPARE(guestFinished.first().at(0).toInt(), 4);
        QCOMPARE(host.finished.count(), 0);
        QVERIFY(runner.isBusy());
        host.progress.clear();
        QVERIFY(host.progress.wait(5000));  // the host goes on
        host.handle->cancel();
        QVERIFY(host.finished.wait(5000));
        QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy(), 1000);

        QPointer<JobHandle> alone = runner.start(std::make_unique<CountingJob>(QStringLiteral("sample"), 2, false, true),
                                                 JobRunner::StartPolicy::GuestOrQueue);
        QSignalSpy aloneFinished(alone.data(), &JobHandle::finished);
        QVERIFY(aloneFinished.wait(5000));
        QCOMPARE(aloneFinished.first().at(0).toInt(), 2);
    }
};

EBM_UI_TEST_MAIN(TestUiJobRunner)

#include "test_ui_job_runner.moc"
