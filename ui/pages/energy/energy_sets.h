#pragma once
// The Energy page's image sets: each a source (what to open and how to transform it), where its
// scoring stands and its result. Sets are named uniquely and keep their id when sets before
// them go; the list writes itself as the session's "sets" array and as the CSV export.
#include <QCoreApplication>
#include <QJsonArray>
#include <QString>
#include <QStringList>
#include <QVector>

#include "pages/energy/energy_job.h"

namespace ebm::studio {

/// The spec of a Fashion-MNIST split.
inline const QString kFashionMnistSpec = QStringLiteral("fashion-mnist");

enum class EnergySetState { NotScored, Pending, Scoring, Scored, Failed, Cancelled };

struct EnergyImageSet {
    int id = 0;  // stays when sets before it are removed
    EnergySetSource source;
    EnergySetState state = EnergySetState::NotScored;
    EnergySetResult result;
};

/// Mean and standard deviation with Bessel's correction, as ebm::summarize.
struct EnergySummary {
    qint64 count = 0;
    double mean = 0.0;
    double std = 0.0;
};
EnergySummary summarizeEnergies(const QVector<double>& values);

/// "Fashion-MNIST test, classes 0,2, first 100, invert": what a source holds, in words.
QString describeSource(const EnergySetSource& source);
/// The set's line in the list: name, source and where its scoring stands.
QString describeSet(const EnergyImageSet& set);

class EnergySetList {
    Q_DECLARE_TR_FUNCTIONS(EnergySetList)
public:
    const QVector<EnergyImageSet>& items() const { return sets_; }
    int size() const { return sets_.size(); }
    bool isEmpty() const { return sets_.isEmpty(); }
    EnergyImageSet& operator[](int index) { return sets_[index]; }
    const EnergyImageSet& operator[](int index) const { return sets_[index]; }

    /// The index of the set named `name`, or -1.
    int indexOf(const QString& name) const;
    /// The index of the set with `id`, or -1.
    int indexOfId(int id) const;
    QStringList names() const;
    QStringList scoredNames() const;

    /// Appends a set waiting to be scored; false (and `error`, one line) for a name in use or
    /// no source. An empty name becomes "set N".
    bool add(const EnergySetSource& source, QString& error);
    /// The source of a copy of set `base` with `transforms` appended to its chain; false (and
    /// `error`) when there is no such set.
    bool transformedCopy(const QString& name, const QString& base, const QString& transforms, EnergySetSource& out,
                         QString& error) const;
    void removeAt(int index) { sets_.removeAt(index); }
    /// Sets waiting go back to not scored (a stop or a cancel ends the queue).
    void unqueuePending();

    /// The sources, for the session's "sets" array.
    QJsonArray sourcesToJson() const;
    /// Replaces the sets by these sources, unscored.
    void restoreSources(const QJsonArray& sources);
    /// Every image of the scored sets: set, index (the file when there is one), energy,
    /// spread, residual.
    bool writeCsv(const QString& path, QString& error) const;

private:
    QVector<EnergyImageSet> sets_;
    int nextSetId_ = 1;
};

}  // namespace ebm::studio
