#pragma once
// What the window asks of every page: run it (start / pause / step / stop, the shortcuts go to
// the page in front), show its run state, keep its settings in a session file and between
// runs of the studio, and report problems and status. A new view implements this and the window
// lists it; nothing in the window branches on which page it is.
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QString>
#include <QWidget>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "jobs/job_handle.h"
#include "widgets/settings_form.h"

class QAction;
class QSettings;
class QUndoStack;

namespace ebm::studio {

class StudioPage : public QWidget {
    Q_OBJECT
public:
    /// `title`: the tab text with its mnemonic ("&Sample"); `sessionKey`: the name of its part
    /// of a session file ("sampling").
    StudioPage(QString title, QString sessionKey, QWidget* parent = nullptr)
        : QWidget(parent), title_(std::move(title)), sessionKey_(std::move(sessionKey))
    {
    }

    QString pageTitle() const { return title_; }
    QString sessionKey() const { return sessionKey_; }

    virtual void start() = 0;
    virtual bool canStart() const = 0;
    // The run keys and the run state act on the run the page follows (followRun); a page with
    // several runs of its own answers for them itself.
    virtual void togglePause();
    virtual void stepOnce();
    virtual void stop();
    virtual bool isRunning() const { return run_ && run_->isActive(); }
    virtual bool isPaused() const { return isRunning() && run_->isPaused(); }

    /// The page's part of a session file, and what it remembers between runs of the studio in
    /// `store` (at its root: a page keeps its values under its own group). Both hold what the
    /// page declared with keepFields / keepInSession / keepInStore, in that order; restoring
    /// starts nothing.
    QJsonObject sessionSettings() const;
    void applySessionSettings(const QJsonObject& part);
    void saveSettings(QSettings& store) const;
    void restoreSettings(QSettings& store);

    /// The window's menus a page adds to: its exports under File, its view toggles under View.
    enum class Menu { File, View };
    /// The page's actions for `menu`, with their shortcuts; the page enables them. Asked once,
    /// when the window builds its menus.
    virtual QList<QAction*> menuActions(Menu menu) const { return {}; }

    /// A key or gesture the page handles itself (not a menu action), for the shortcut list (F1).
    struct ShortcutHelp {
        QString keys;    // "Delete", "Space + drag", "Wheel"
        QString action;  // "removes the selected points"
    };
    virtual QList<ShortcutHelp> pageShortcuts() const { return {}; }

    /// The settings a picture keeps (the JSON text of its "ebm-studio" chunk, its format and
    /// version checked; `source` names the picture), from File > Open Settings from Image or a
    /// PNG dropped on the window. A page that makes such pictures (it tells by their "command")
    /// shows them in its fields as one step on `undo` and returns true. False with `error` empty:
    /// not this page's picture; false with `error` set (one line naming `source`): its settings
    /// cannot be used, and nothing changed.
    virtual bool applyPictureSettings(const std::string& json, const QString& source, QUndoStack* undo,
                                      QString* error)
    {
        return false;
    }

    /// What the page adds to the settings inside a PNG of its chart titled `chart` (the "ebm-studio"
    /// chunk; PlotPanel writes format, version, the app, "command" and "chart" itself, and keeps
    /// them whatever this returns). By default "settings": the values of the fields the page keeps
    /// with keepFields, as a session file has them, absolute file paths reduced to their file
    /// names (a shared figure names its files as a picture names its model, without the folders
    /// of the computer that made it). Not the rest of the session part: images, masks and data
    /// sets do not belong in a chart. The base does not know the loaded model: a page whose
    /// charts depend on it adds "model" (annealing/picture_settings.h's modelSettings) here.
    virtual QJsonObject chartSettings(const QString& chart) const;

Q_SIGNALS:
    /// Something went wrong that the person must see (the window shows a notification).
    void problem(const QString& message);
    /// A line for the status bar.
    void statusMessage(const QString& text);
    /// Something done that the person should notice (the window shows an information bar).
    void notice(const QString& text);
    /// Values saveSettings() writes changed in a way worth keeping at once (a saved preset).
    void settingsChanged();
    /// Show the page whose sessionKey() is `key` and start it ("sample from these weights").
    void startPageRequested(const QString& key);
    /// canStart / isRunning / isPaused may have changed.
    void runStateChanged();

protected:
    enum class Keep { SessionAndStore, StoreOnly };
    /// Keeps the settings struct S of the page's form: `fields` declare it, `read` gives the
    /// values shown, `show` shows values without an undo step. Keys a session part or the store
    /// lacks keep the values shown; a refused session value leaves every field as it was and
    /// says so.
    template <class S>
    void keepFields(const FieldSet<S>& fields, std::function<S()> read, std::function<void(const S&)> show,
                    Keep where = Keep::SessionAndStore)
    {
        Keeper keeper;
        keeper.toChart = [&fields, read](QJsonObject& values) {
            const QJsonObject shown = fields.toJson(read());
            for (auto it = shown.begin(); it != shown.end(); ++it)
                values.insert(it.key(), it.value());
        };
        if (where == Keep::SessionAndStore) {
            keeper.toSession = [&fields, read](QJsonObject& part) {
                const QJsonObject values = fields.toJson(read());
                for (auto it = values.begin(); it != values.end(); ++it)
                    part.insert(it.key(), it.value());
            };
            keeper.fromSession = [this, &fields, read, show](const QJsonObject& part) {
                S loaded;
                QString error;
                if (fields.fromJson(part, loaded, error, read()))
                    show(loaded);
                else
                    refusedSessionValue(error);
            };
        }
        keeper.save = [&fields, read](QSettings& store) { fields.save(store, read()); };
        keeper.restore = [&fields, read, show](QSettings& store) { show(fields.load(store, read())); };
        keepers_.push_back(std::move(keeper));
    }
    /// More of the session part than the fields (a page's image sets, its mask).
    void keepInSession(std::function<void(QJsonObject&)> write, std::function<void(const QJsonObject&)> read)
    {
        keepers_.push_back({std::move(write), std::move(read), {}, {}, {}});
    }
    /// More of what is remembered between runs than the fields (view toggles, user presets).
    void keepInStore(std::function<void(QSettings&)> save, std::function<void(QSettings&)> restore)
    {
        keepers_.push_back({{}, {}, std::move(save), std::move(restore), {}});
    }

    /// The run the page has just started (a JobHandle from StudioEngine::start), the one the run
    /// keys act on; `pausable` false for jobs whose page offers no pause or single step.
    void followRun(JobHandle* run, bool pausable = true)
    {
        run_ = run;
        pausable_ = pausable;
    }
    /// The run in progress or the last one; null before the first.
    JobHandle* currentRun() const { return run_; }

private:
    struct Keeper {
        std::function<void(QJsonObject&)> toSession;
        std::function<void(const QJsonObject&)> fromSession;
        std::function<void(QSettings&)> save;
        std::function<void(QSettings&)> restore;
        std::function<void(QJsonObject&)> toChart;  // the form's values only (keepFields)
    };
    void refusedSessionValue(const QString& error);

    std::vector<Keeper> keepers_;
    QPointer<JobHandle> run_;
    bool pausable_ = true;
    QString title_;
    QString sessionKey_;
};

}  // namespace ebm::studio
