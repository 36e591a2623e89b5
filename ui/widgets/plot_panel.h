#pragma once
// The base under every chart of the studio: it owns the QCustomPlot and gives all charts the
// same look, the same replot throttle, the same log-scale toggle with readable ticks, the same
// legend placement and the same "Export as PNG…", whose PNG keeps how it was made (the chart,
// and the settings of the page it is on: StudioPage::chartSettings).
#include <QWidget>

#include <string>

class QCheckBox;
class QCPAxis;
class QCustomPlot;
class QHBoxLayout;
class QLabel;
class QMenu;
class QTimer;

namespace ebm::studio {

class PlotPanel : public QWidget {
    Q_OBJECT
public:
    enum class LegendPlacement { Hidden, AboveAxes, InsideTopRight, InsideTopLeft };

    /// `title` heads the panel in bold; `fileStem` names the suggested PNG ("energy" →
    /// "energy.png").
    PlotPanel(const QString& title, const QString& fileStem, QWidget* parent = nullptr);

    QCustomPlot* plot() const { return plot_; }
    QString title() const { return titleText_; }

    /// Asks for a replot; requests closer together than the throttle interval become one.
    void requestReplot();
    /// Replots at once (and drops a pending request).
    void replotNow();
    /// Default 30: the eye sees no more, and each replot costs the GUI thread.
    void setMaxReplotsPerSecond(int rate);
    /// Replots actually drawn since construction (tests and diagnostics).
    int replotCount() const { return replots_; }

    /// The "Log scale" check box in the title bar; hidden until a chart has an axis to switch.
    void setLogScaleAvailable(bool available, const QString& toolTip = QString());
    void setLogScale(bool on);
    bool logScale() const;
    /// Switches one axis between linear and logarithmic; a logarithmic axis gets a ticker that
    /// labels every decade and, on ranges shorter than a decade, 1-2-5 (or 1…9) ticks.
    static void setAxisLogarithmic(QCPAxis* axis, bool on);

    void setLegendPlacement(LegendPlacement placement);
    LegendPlacement legendPlacement() const { return legendPlacement_; }

    /// Writes the chart as a width x height PNG that keeps exportSettingsJson(); false when the
    /// file cannot be written.
    bool exportPng(const QString& path, int width, int height);
    /// What an exported PNG keeps in its "ebm-studio" chunk (ebm/base/png_settings.h): format,
    /// version, the app and its version, "command" ("studio <page's session key> chart", or
    /// "studio chart" on no page), "chart" (the title), then what the StudioPage the chart is on
    /// adds (its chartSettings), asked at the moment of the export.
    std::string exportSettingsJson() const;
    /// The name offered by "Export as PNG…".
    QString suggestedFileName() const;

    /// Adds a widget to the title bar, left of the log-scale box (notes, extra toggles).
    void addTitleBarWidget(QWidget* widget);

Q_SIGNALS:
    void logScaleToggled(bool on);

protected:
    /// Called when the log-scale box changes, before the replot: switch axes and ranges here.
    virtual void applyScales() {}
    /// Lets a chart put its own entries at the top of the right-click menu (at `position`, in
    /// the plot's coordinates), above the log-scale toggle and "Export as PNG…".
    virtual void addContextMenuActions(QMenu& menu, const QPoint& position) {}

private:
    void showContextMenu(const QPoint& at);
    void exportWithDialog();
    void applyCommonLook();

    QCustomPlot* plot_;
    QLabel* title_;
    QString titleText_;
    QHBoxLayout* titleBar_;
    QCheckBox* logScale_;
    QTimer* replotTimer_;
    QString fileStem_;
    LegendPlacement legendPlacement_ = LegendPlacement::InsideTopRight;
    int replots_ = 0;
};

}  // namespace ebm::studio
