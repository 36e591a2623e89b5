#include "pages/energy/energy_sets.h"

#include <QJsonObject>
#include <QObject>
#include <QTextStream>

#include <cmath>
#include <limits>

#include "widgets/safe_save.h"

namespace ebm::studio {
namespace {

constexpr int kCsvDigits = std::numeric_limits<float>::max_digits10;

QString csvField(const QString& text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QJsonObject sourceToJson(const EnergySetSource& s)
{
    QJsonArray classes;
    for (int c : s.classes)
        classes.append(c);
    return QJsonObject{{QStringLiteral("name"), s.name},        {QStringLiteral("spec"), s.spec},
                       {QStringLiteral("train"), s.train},      {QStringLiteral("classes"), classes},
                       {QStringLiteral("limit"), s.limit},      {QStringLiteral("transforms"), s.transforms}};
}

EnergySetSource sourceFromJson(const QJsonObject& o)
{
    EnergySetSource s;
    s.name = o.value(QStringLiteral("name")).toString();
    s.spec = o.value(QStringLiteral("spec")).toString();
    s.train = o.value(QStringLiteral("train")).toBool();
    for (const QJsonValue& c : o.value(QStringLiteral("classes")).toArray())
        s.classes << c.toInt();
    s.limit = o.value(QStringLiteral("limit")).toInt();
    s.transforms = o.value(QStringLiteral("transforms")).toString();
    return s;
}

QString describeState(const EnergyImageSet& set)
{
    switch (set.state) {
    case EnergySetState::NotScored: return QObject::tr("not scored");
    case EnergySetState::Pending: return QObject::tr("waiting");
    case EnergySetState::Scoring: return QObject::tr("scoring…");
    case EnergySetState::Failed: return QObject::tr("failed: %1").arg(set.result.error);
    case EnergySetState::Cancelled: return QObject::tr("cancelled");
    case EnergySetState::Scored: break;
    }
    const EnergySummary e = summarizeEnergies(set.result.energy);
    QString state = QObject::tr("%1 images, energy %2 ± %3").arg(e.count).arg(e.mean, 0, 'g', 5).arg(e.std, 0, 'g', 3);
    if (!set.result.conversion.isEmpty())
        state += QLatin1Char('\n') + set.result.conversion;
    if (!set.result.skipped.isEmpty())
        state += QLatin1Char('\n') + QObject::tr("skipped: %1").arg(set.result.skipped.join(QStringLiteral("; ")));
    return state;
}

}  // namespace

EnergySummary summarizeEnergies(const QVector<double>& values)
{
    EnergySummary s;
    s.count = values.size();
    if (values.isEmpty())
        return s;
    for (double v : values)
        s.mean += v;
    s.mean /= values.size();
    if (values.size() > 1) {
        double squares = 0.0;
        for (double v : values)
            squares += (v - s.mean) * (v - s.mean);
        s.std = std::sqrt(squares / (values.size() - 1));
    }
    return s;
}

QString describeSource(const EnergySetSource& s)
{
    QString text = s.spec == kFashionMnistSpec
                       ? QObject::tr("Fashion-MNIST %1").arg(s.train ? QObject::tr("train") : QObject::tr("test"))
                       : s.spec;
    if (!s.classes.isEmpty()) {
        QStringList classes;
        for (int c : s.classes)
            classes << QString::number(c);
        text += QObject::tr(", classes %1").arg(classes.join(QLatin1Char(',')));
    }
    if (s.limit > 0)
        text += QObject::tr(", first %1").arg(s.limit);
    if (!s.transforms.isEmpty())
        text += QObject::tr(", %1").arg(s.transforms);
    return text;
}

QString describeSet(const EnergyImageSet& set)
{
    return QStringLiteral("%1 — %2\n%3").arg(set.source.name, describeSource(set.source), describeState(set));
}

int EnergySetList::indexOf(const QString& name) const
{
    for (int i = 0; i < sets_.size(); ++i)
        if (sets_[i].source.name == name)
            return i;
    return -1;
}

int EnergySetList::indexOfId(int id) const
{
    int index = -1;
    for (int i = 0; i < sets_.size(); ++i)
        if (sets_[i].id == id)
            index = i;
    return index;
}

QStringList EnergySetList::names() const
{
    QStringList out;
    for (const EnergyImageSet& set : sets_)
        out << set.source.name;
    return out;
}

QStringList EnergySetList::scoredNames() const
{
    QStringList out;
    for (const EnergyImageSet& set : sets_)
        if (set.state == EnergySetState::Scored)
            out << set.source.name;
    return out;
}

bool EnergySetList::add(const EnergySetSource& source, QString& error)
{
    EnergySetSource s = source;
    s.name = s.name.trimmed();
    if (s.name.isEmpty())
        s.name = tr("set %1").arg(nextSetId_);
    if (indexOf(s.name) >= 0) {
        error = tr("A set is already named '%1'.").arg(s.name);
        return false;
    }
    if (s.spec.trimmed().isEmpty()) {
        error = tr("Set '%1' has no source: give a picture, folder or .npy path.").arg(s.name);
        return false;
    }
    EnergyImageSet set;
    set.id = nextSetId_++;
    set.source = s;
    set.state = EnergySetState::Pending;
    sets_ << set;
    return true;
}

bool EnergySetList::transformedCopy(const QString& name, const QString& base, const QString& transforms,
                                    EnergySetSource& out, QString& error) const
{
    const int b = indexOf(base);
    if (b < 0) {
        error = tr("There is no set named '%1' to copy.").arg(base);
        return false;
    }
    out = sets_[b].source;
    out.name = name;
    const QString chain = transforms.trimmed();
    out.transforms = out.transforms.isEmpty() ? chain
                     : chain.isEmpty()        ? out.transforms
                                              : out.transforms + QLatin1Char(',') + chain;
    return true;
}

void EnergySetList::unqueuePending()
{
    for (EnergyImageSet& set : sets_)
        if (set.state == EnergySetState::Pending)
            set.state = EnergySetState::NotScored;
}

QJsonArray EnergySetList::sourcesToJson() const
{
    QJsonArray sources;
    for (const EnergyImageSet& set : sets_)
        sources.append(sourceToJson(set.source));
    return sources;
}

void EnergySetList::restoreSources(const QJsonArray& sources)
{
    sets_.clear();
    for (const QJsonValue& v : sources) {
        EnergyImageSet set;
        set.id = nextSetId_++;
        set.source = sourceFromJson(v.toObject());
        sets_ << set;
    }
}

bool EnergySetList::writeCsv(const QString& path, QString& error) const
{
    QString text;
    QTextStream csv(&text);
    csv << "set,index,energy,spread,residual\n";
    for (const EnergyImageSet& set : sets_) {
        if (set.state != EnergySetState::Scored)
            continue;
        const EnergySetResult& r = set.result;
        for (int i = 0; i < r.energy.size(); ++i) {
            const QString index = i < r.files.size() ? r.files[i] : QString::number(r.rows.value(i, i));
            csv << csvField(set.source.name) << ',' << csvField(index) << ','
                << QString::number(r.energy[i], 'g', kCsvDigits) << ','
                << QString::number(r.spread.value(i), 'g', kCsvDigits) << ','
                << (i < r.residual.size() ? QString::number(r.residual[i], 'g', kCsvDigits) : QString()) << '\n';
        }
    }
    csv.flush();
    return saveBytes(path, text.toUtf8(), tr("CSV table"), error);
}

}  // namespace ebm::studio
