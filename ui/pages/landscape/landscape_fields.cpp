#include "pages/landscape/landscape_fields.h"

#include <QObject>

#include <functional>

namespace ebm::studio {
namespace {

// Data set indices a field accepts: far beyond any split (the job names the real count).
constexpr int kMaxItemIndex = 9999999;
// A principal plane needs three images; a thin SVD of a few thousand images stays quick.
constexpr int kMinComponentImages = 3;
constexpr int kMaxComponentImages = 5000;
// Chains are a few lines over the map, each a whole Langevin run.
constexpr int kMaxChains = 16;
constexpr int kIterationStep = 50;
constexpr int kResolutionStep = 8;

using Condition = std::function<bool(const FieldValues&)>;

using Source = LandscapeItem::Source;

/// Whether the item's source field (under `key`) shows `source`.
bool sourceIs(const FieldValues& v, const QString& key, Source source)
{
    return v.value(key).toInt() == static_cast<int>(source);
}

/// Source, index and file of one item, in the struct's `item` member, under keys "<prefix>…";
/// `inUse` (when given) enables them. The pictures picked on other pages have no field: the
/// page takes them when it asks for the image (sessions keep the source only).
template <class S>
void addItemFields(FieldSet<S>& f, const QString& prefix, LandscapeItem S::*item, const QString& group,
                   const Condition& inUse = {})
{
    const Condition enabled = inUse ? inUse : Condition([](const FieldValues&) { return true; });
    const QString sourceKey = prefix + QStringLiteral("Source");
    const auto value = [](Source source) { return QVariant(static_cast<int>(source)); };
    f.choice(
         sourceKey, [item](const S& s) { return QVariant(static_cast<int>((s.*item).source)); },
         [item](S& s, const QVariant& v) { (s.*item).source = static_cast<Source>(v.toInt()); },
         {{QObject::tr("Data set item"), value(Source::DataSet)},
          {QObject::tr("Picture file"), value(Source::File)},
          {QObject::tr("Sample page's selected sample"), value(Source::SelectedSample)},
          {QObject::tr("Energy table's selected row"), value(Source::TableRow)}})
        .label(QObject::tr("Image"))
        .group(group)
        .jsonNames({{value(Source::DataSet), QStringLiteral("dataset")},
                    {value(Source::File), QStringLiteral("file")},
                    {value(Source::SelectedSample), QStringLiteral("sample")},
                    {value(Source::TableRow), QStringLiteral("table-row")}})
        .undoText(QObject::tr("%1 image source").arg(group))
        .tip(QObject::tr("An image of the data set by its index, a picture (centre-cropped and resized to the model's "
                         "size), the sample selected on the Sample page or the image of the row selected in the Energy "
                         "page's table (taken when the run starts)"))
        .enabledWhen(enabled);
    f.add(
         FieldKind::Integer, prefix + QStringLiteral("Index"), [item](const S& s) { return QVariant((s.*item).index); },
         [item](S& s, const QVariant& v) { (s.*item).index = v.toInt(); })
        .label(QObject::tr("Index"))
        .group(group)
        .range(0, kMaxItemIndex)
        .undoText(QObject::tr("%1 index").arg(group))
        .tip(QObject::tr("Counted from 0 in the data set (its test split)"))
        .enabledWhen(enabled)
        .visibleWhen([sourceKey](const FieldValues& v) { return sourceIs(v, sourceKey, Source::DataSet); });
    f.add(
         FieldKind::Text, prefix + QStringLiteral("File"), [item](const S& s) { return QVariant((s.*item).file); },
         [item](S& s, const QVariant& v) { (s.*item).file = v.toString(); })
        .label(QObject::tr("File"))
        .group(group)
        .placeholder(QObject::tr("a .png or .jpg picture"))
        .undoText(QObject::tr("%1 picture").arg(group))
        .button(QObject::tr("Browse…"), QObject::tr("Choose a picture"),
                openFileAction(QObject::tr("Choose a picture"), QObject::tr("Pictures (*.png *.jpg *.jpeg)")))
        .enabledWhen(enabled)
        .visibleWhen([sourceKey](const FieldValues& v) { return sourceIs(v, sourceKey, Source::File); });
}

template <class S>
void addDataSetField(FieldSet<S>& f, const QString& key, const QString& group)
{
    f.text(key, &S::dataSet)
        .label(QObject::tr("Data set"))
        .group(group)
        .placeholder(QObject::tr("fashion-mnist, a .npy file or a folder of pictures"))
        .undoText(QObject::tr("landscape data set"))
        .tip(QObject::tr("Where the data set items come from (its test split); converted to the model's channels and size"))
        .button(QObject::tr("…"), QObject::tr("Choose a .npy file"),
                openFileAction(QObject::tr("Choose a data set"), QObject::tr("NumPy arrays (*.npy);;All files (*)")));
}

FieldSet<LandscapePathSettings> declarePathFields()
{
    using S = LandscapePathSettings;
    const LandscapeLimits& limits = landscapeLimits();
    FieldSet<S> f{QStringLiteral("landscape")};
    const QString images = QObject::tr("Images");
    addDataSetField(f, QStringLiteral("pathDataSet"), images);
    addItemFields(f, QStringLiteral("pathFrom"), &S::from, QObject::tr("From"));
    addItemFields(f, QStringLiteral("pathTo"), &S::to, QObject::tr("To"));
    const QString path = QObject::tr("Path");
    f.choice(QStringLiteral("pathMethod"), &S::relax,
             {{QObject::tr("Straight line"), false}, {QObject::tr("Line and relaxed path (NEB)"), true}})
        .label(QObject::tr("Method"))
        .group(path)
        .jsonNames({{false, QStringLiteral("line")}, {true, QStringLiteral("neb")}})
        .undoText(QObject::tr("path method"))
        .tip(QObject::tr("The straight line between the images, or also the minimum-energy path a nudged elastic band "
                         "relaxes it to (its highest point estimates the saddle)"));
    f.integer(QStringLiteral("pathPoints"), &S::points)
        .label(QObject::tr("Points (K)"))
        .group(path)
        .range(limits.minPathPoints, limits.maxPathPoints)
        .undoText(QObject::tr("path points"))
        .tip(QObject::tr("Images along the path, both ends included"));
    f.integer(QStringLiteral("pathIterations"), &S::iterations)
        .label(QObject::tr("Iterations"))
        .group(path)
        .range(0, limits.maxNebIterations)
        .step(kIterationStep)
        .undoText(QObject::tr("relaxation iterations"))
        .tip(QObject::tr("The most steps the band takes (it stops earlier when the forces vanish)"))
        .enabledWhen([](const FieldValues& v) { return v.flag(QStringLiteral("pathMethod")); });
    return f;
}

FieldSet<LandscapePlaneSettings> declarePlaneFields()
{
    using S = LandscapePlaneSettings;
    const LandscapeLimits& limits = landscapeLimits();
    FieldSet<S> f{QStringLiteral("landscape")};
    const QString plane = QObject::tr("Plane");
    addDataSetField(f, QStringLiteral("planeDataSet"), plane);
    const QString kindKey = QStringLiteral("planeKind");
    f.choice(kindKey, &S::principalComponents,
             {{QObject::tr("Through three images"), false}, {QObject::tr("Principal components of a set"), true}})
        .label(QObject::tr("Plane"))
        .group(plane)
        .jsonNames({{false, QStringLiteral("three-images")}, {true, QStringLiteral("principal-components")}})
        .undoText(QObject::tr("plane"))
        .tip(QObject::tr("The plane through A, B and C, or the one through the mean of the data set's first images "
                         "along their first two principal directions"));
    f.integer(QStringLiteral("planeComponentImages"), &S::componentImages)
        .label(QObject::tr("First N images"))
        .group(plane)
        .range(kMinComponentImages, kMaxComponentImages)
        .undoText(QObject::tr("images of the principal plane"))
        .visibleWhen([kindKey](const FieldValues& v) { return v.flag(kindKey); });
    // The three images' fields are used only for the plane through them.
    const Condition threeImages = [kindKey](const FieldValues& v) { return !v.flag(kindKey); };
    addItemFields(f, QStringLiteral("planeA"), &S::first, QStringLiteral("A"), threeImages);
    addItemFields(f, QStringLiteral("planeB"), &S::second, QStringLiteral("B"), threeImages);
    addItemFields(f, QStringLiteral("planeC"), &S::third, QStringLiteral("C"), threeImages);
    const QString map = QObject::tr("Map");
    f.integer(QStringLiteral("planeResolution"), &S::resolution)
        .label(QObject::tr("Resolution"))
        .group(map)
        .range(limits.minResolution, limits.maxResolution)
        .step(kResolutionStep)
        .unit(QObject::tr(" points per side"))
        .undoText(QObject::tr("map resolution"))
        .tip(QObject::tr("Grid points along each side of the map; each costs a forward and a backward pass"));
    f.integer(QStringLiteral("planeChains"), &S::chains)
        .label(QObject::tr("Trajectories"))
        .group(map)
        .range(0, kMaxChains)
        .special(QObject::tr("none"))
        .unit(QObject::tr(" chains"))
        .undoText(QObject::tr("trajectories"))
        .tip(QObject::tr("Langevin chains from noise (the default schedule), drawn every %1 steps where they fall "
                         "on the plane")
                 .arg(limits.chainRecordEvery));
    return f;
}

}  // namespace

const FieldSet<LandscapePathSettings>& landscapePathFields()
{
    static const FieldSet<LandscapePathSettings> fields = declarePathFields();
    return fields;
}

const FieldSet<LandscapePlaneSettings>& landscapePlaneFields()
{
    static const FieldSet<LandscapePlaneSettings> fields = declarePlaneFields();
    return fields;
}

QVector<LandscapeItem> pathItems(const LandscapePathSettings& s) { return {s.from, s.to}; }

QVector<LandscapeItem> planeItems(const LandscapePlaneSettings& s) { return {s.first, s.second, s.third}; }

}  // namespace ebm::studio
