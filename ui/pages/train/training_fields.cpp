#include "pages/train/training_fields.h"

#include <QDir>
#include <QFileDialog>
#include <QObject>
#include <QStandardPaths>

#include <limits>

namespace ebm::studio {
namespace {

constexpr int kMaxIntField = std::numeric_limits<int>::max();
constexpr int kMaxProcesses = 64;  // ranks on one machine; more than its cores only compete

bool singleProcess(const FieldValues& v) { return v.integer(QStringLiteral("processes")) <= 1; }

const QString kKind = QStringLiteral("datasetKind");
const QString kInitialWeights = QStringLiteral("initialWeights");

bool freshWeights(const FieldValues& v) { return v.text(kInitialWeights).isEmpty(); }

/// Noise levels σ share their widget.
FieldBuilder sigma(FieldSet<TrainingSettings>& f, const QString& key, double TrainingSettings::*member)
{
    return f.real(key, member).group(QObject::tr("Noise (MDSM, eq. 7)")).range(0.001, 50.0).decimals(3).step(0.05);
}

QVariant browseDataset(QWidget* parent, const QVariant& current, const FieldValues& v)
{
    const DatasetKind kind = parseDatasetKind(v.text(kKind));
    QString path;
    if (kind == DatasetKind::Npy)
        path = QFileDialog::getOpenFileName(parent, QObject::tr("NumPy array"), current.toString(),
                                            QObject::tr("NumPy arrays (*.npy)"));
    else if (kind == DatasetKind::Cifar10)
        path = QFileDialog::getExistingDirectory(parent, QObject::tr("CIFAR-10 folder (cifar-10-batches-bin)"),
                                                 current.toString());
    else
        path = QFileDialog::getExistingDirectory(parent, QObject::tr("Data set folder"), current.toString());
    return path.isEmpty() ? QVariant() : QVariant(path);
}

/// The data set: its kind, where it is, and the image shape pictures are brought to.
void declareDataFields(FieldSet<TrainingSettings>& f)
{
    using S = TrainingSettings;
    const QString data = QObject::tr("Data");
    QVector<FieldChoice> kinds;
    for (const auto& [kind, label] : {std::pair{DatasetKind::FashionMnist, QObject::tr("Fashion-MNIST (installed)")},
                                      std::pair{DatasetKind::MnistFolder, QObject::tr("MNIST-style IDX folder")},
                                      std::pair{DatasetKind::Cifar10, QObject::tr("CIFAR-10 folder or batch")},
                                      std::pair{DatasetKind::ImageFolder, QObject::tr("Folder of images")},
                                      std::pair{DatasetKind::Npy, QObject::tr("NumPy .npy array")}})
        kinds.push_back({label, datasetKindName(kind)});
    f.choice(
         kKind, [](const S& s) { return QVariant(datasetKindName(s.datasetKind)); },
         [](S& s, const QVariant& v) { s.datasetKind = parseDatasetKind(v.toString()); }, kinds)
        .label(QObject::tr("Data set"))
        .group(data)
        .undoText(QObject::tr("data set"));
    f.text(QStringLiteral("datasetPath"), &S::datasetPath)
        .label(QObject::tr("Location"))
        .group(data)
        .placeholder(QObject::tr("folder or file"))
        .undoText(QObject::tr("data set location"))
        .enabledWhen([](const FieldValues& v) { return parseDatasetKind(v.text(kKind)) != DatasetKind::FashionMnist; })
        .button(QStringLiteral("…"), QObject::tr("Choose the data set"), browseDataset);
    f.integer(QStringLiteral("imageSize"), &S::imageSize)
        .label(QObject::tr("Image size"))
        .group(data)
        .range(8, 128)
        .step(4)
        .undoText(QObject::tr("image size"))
        .tip(QObject::tr("Images are padded or cropped to this side (MNIST 28 → 32)"))
        .enabledWhen(freshWeights);
    f.choice(QStringLiteral("imageChannels"), &S::imageChannels, {{QObject::tr("Gray"), 1}, {QObject::tr("Colour (RGB)"), 3}})
        .label(QObject::tr("Channels"))
        .group(data)
        .undoText(QObject::tr("channels"))
        .tip(QObject::tr("Image folders only: load the images as gray or colour"))
        .enabledWhen([](const FieldValues& v) { return parseDatasetKind(v.text(kKind)) == DatasetKind::ImageFolder; });
}

/// The network: architecture, width, output layer, starting weights.
void declareModelFields(FieldSet<TrainingSettings>& f)
{
    using S = TrainingSettings;
    const QString model = QObject::tr("Model");
    f.choice(QStringLiteral("architecture"), &S::architecture,
             {{QObject::tr("ResNet 6"), QStringLiteral("res6")},
              {QObject::tr("ResNet 12 (paper, MNIST)"), QStringLiteral("res12")},
              {QObject::tr("ResNet 18 (paper, CIFAR)"), QStringLiteral("res18")}})
        .label(QObject::tr("Architecture"))
        .group(model)
        .undoText(QObject::tr("architecture"))
        .enabledWhen(freshWeights);
    f.integer(QStringLiteral("width"), &S::width)
        .label(QObject::tr("Width"))
        .group(model)
        .range(1, 512)
        .undoText(QObject::tr("width"))
        .tip(QObject::tr("Filters of the first layer, doubled at each downsampling.\n"
                         "The paper uses 64 (MNIST) and 128 (CIFAR); 8–16 train at usable speed on a CPU."))
        .enabledWhen(freshWeights);
    f.choice(QStringLiteral("head"), &S::head,
             {{QObject::tr("Quadratic (eq. 12)"), QStringLiteral("quadratic")}, {QObject::tr("Linear"), QStringLiteral("linear")}})
        .label(QObject::tr("Output layer"))
        .group(model)
        .undoText(QObject::tr("output layer"))
        .enabledWhen(freshWeights);
    f.text(kInitialWeights, &S::initialWeights)
        .label(QObject::tr("Start from"))
        .group(model)
        .placeholder(QObject::tr("fresh random weights"))
        .undoText(QObject::tr("starting weights"))
        .tip(QObject::tr("Fine-tuning: start from the weights of this checkpoint (native .ebm or the "
                         "reference code's PyTorch .pt), with a fresh optimizer and learning-rate "
                         "schedule. The architecture, width, output layer and image size then come "
                         "from the file."))
        .button(QStringLiteral("…"), QObject::tr("Choose the starting weights"),
                openFileAction(QObject::tr("Start from the weights of"),
                               QObject::tr("Checkpoints (*.ebm *.pt *.pth);;All files (*)")));
}

/// The noise levels of the MDSM objective.
void declareNoiseFields(FieldSet<TrainingSettings>& f)
{
    using S = TrainingSettings;
    sigma(f, QStringLiteral("sigmaMin"), &S::sigmaMin)
        .label(QObject::tr("σ min"))
        .undoText(QObject::tr("σ min"))
        .tip(QObject::tr("Smallest training noise level σ"));
    sigma(f, QStringLiteral("sigmaMax"), &S::sigmaMax)
        .label(QObject::tr("σ max"))
        .undoText(QObject::tr("σ max"))
        .tip(QObject::tr("Largest training noise level σ"));
    f.choice(QStringLiteral("spread"), &S::spread,
             {{QObject::tr("Geometric (MNIST)"), QStringLiteral("geometric")},
              {QObject::tr("Linear (CIFAR)"), QStringLiteral("linear")},
              {QObject::tr("Single σ = σ max (DSM baseline)"), QStringLiteral("single")}})
        .label(QObject::tr("Spread"))
        .group(QObject::tr("Noise (MDSM, eq. 7)"))
        .undoText(QObject::tr("noise spread"));
    sigma(f, QStringLiteral("sigma0"), &S::sigma0)
        .label(QObject::tr("σ₀"))
        .undoText(QObject::tr("σ₀"))
        .tip(QObject::tr("Kernel width σ₀ of eq. 7 (0.1 in the paper)"));
}

/// Adam, its learning-rate schedule, the run's length, seed, processes and arithmetic.
void declareOptimiserFields(FieldSet<TrainingSettings>& f)
{
    using S = TrainingSettings;
    const QString optimiser = QObject::tr("Optimisation (Adam)");
    f.scientific(QStringLiteral("learningRate"), &S::learningRate)
        .label(QObject::tr("Learning rate"))
        .group(optimiser)
        .range(1e-9, 1.0)
        .undoText(QObject::tr("learning rate"))
        .tip(QObject::tr("Adam learning rate (arrows halve or double it)"));
    f.choice(QStringLiteral("cosineDecay"), &S::cosineDecay, {{QObject::tr("Cosine decay"), true}, {QObject::tr("Constant"), false}})
        .label(QObject::tr("Schedule"))
        .group(optimiser)
        .undoText(QObject::tr("learning-rate schedule"));
    f.scientific(QStringLiteral("finalLearningRate"), &S::finalLearningRate)
        .label(QObject::tr("Final rate"))
        .group(optimiser)
        .range(1e-9, 1.0)
        .undoText(QObject::tr("final learning rate"))
        .tip(QObject::tr("Learning rate at the end of the cosine decay"))
        .enabledWhen([](const FieldValues& v) { return v.flag(QStringLiteral("cosineDecay")); });
    f.integer(QStringLiteral("batchSize"), &S::batchSize)
        .label(QObject::tr("Batch"))
        .group(optimiser)
        .range(1, 4096)
        .undoText(QObject::tr("batch size"));
    f.integer(QStringLiteral("steps"), &S::steps)
        .label(QObject::tr("Steps"))
        .group(optimiser)
        .range(1, kMaxIntField)
        .step(1000)
        .groupSeparator()
        .undoText(QObject::tr("training steps"));
    f.integer(QStringLiteral("seed"), &S::seed)
        .label(QObject::tr("Seed"))
        .group(optimiser)
        .range(0, kMaxIntField)
        .keepOutOfRange()
        .jsonAsText()
        .undoText(QObject::tr("training seed"));

    f.integer(QStringLiteral("processes"), &S::processes)
        .label(QObject::tr("Processes"))
        .group(optimiser)
        .range(1, kMaxProcesses)
        .undoText(QObject::tr("processes"))
        .tip(QObject::tr("Data-parallel training in this many processes on this machine (ebm train --nproc N): "
                         "each computes a slice of every batch and they average their gradients, so the run is "
                         "the same as in one process. Worth it with more cores than one process uses well. "
                         "The weights come back through the checkpoint file; previews, pause and sampling "
                         "from the current weights need a single process."));

    f.choice(QStringLiteral("precision"), &S::precision,
             {{QObject::tr("float32"), QStringLiteral("float32")},
              {QObject::tr("bfloat16 autocast"), QStringLiteral("bf16")},
              {QObject::tr("TF32 (CUDA)"), QStringLiteral("tf32")}})
        .label(QObject::tr("Arithmetic"))
        .group(optimiser)
        .undoText(QObject::tr("arithmetic"))
        .tip(QObject::tr("float32 is the reference. bfloat16 runs the convolutions with 8-bit mantissas: about 1.4x "
                         "faster on CPUs with AVX-512 BF16 (slower elsewhere) and on GPUs, with a slightly different "
                         "loss. TF32 is a mode of CUDA GPUs' matrix units only. Weights and optimizer stay float32."));
}

/// What the run leaves along the way: previews and checkpoints.
void declareOutputFields(FieldSet<TrainingSettings>& f)
{
    using S = TrainingSettings;
    const QString outputs = QObject::tr("Previews and checkpoints");
    f.integer(QStringLiteral("previewEvery"), &S::previewEvery)
        .label(QObject::tr("Preview every"))
        .group(outputs)
        .range(0, 1000000)
        .step(100)
        .special(QObject::tr("never"))
        .undoText(QObject::tr("preview period"))
        .tip(QObject::tr("Draw a few samples with a short schedule every N steps"))
        .enabledWhen(singleProcess);
    f.integer(QStringLiteral("previewSamples"), &S::previewSamples)
        .label(QObject::tr("Preview samples"))
        .group(outputs)
        .range(1, 64)
        .undoText(QObject::tr("preview samples"))
        .enabledWhen(singleProcess);
    f.integer(QStringLiteral("previewSteps"), &S::previewSteps)
        .label(QObject::tr("Preview steps"))
        .group(outputs)
        .range(3, 2700)
        .undoText(QObject::tr("preview steps"))
        .tip(QObject::tr("Length of the quick schedule used by previews"))
        .enabledWhen(singleProcess);
    f.integer(QStringLiteral("checkpointEvery"), &S::checkpointEvery)
        .label(QObject::tr("Checkpoint every"))
        .group(outputs)
        .range(0, 1000000)
        .step(500)
        .special(QObject::tr("only at the end"))
        .undoText(QObject::tr("checkpoint period"));
    f.text(QStringLiteral("checkpointPath"), &S::checkpointPath)
        .label(QObject::tr("Checkpoint file"))
        .group(outputs)
        .undoText(QObject::tr("checkpoint file"))
        .tip(QObject::tr("Checkpoints (weights, optimizer state, loss history) are written here; "
                         "empty = no automatic checkpoints"))
        .emptyShowsAs(defaultTrainingCheckpointPath)
        .button(QStringLiteral("…"), QObject::tr("Choose the checkpoint file"),
                saveFileAction(QObject::tr("Checkpoint file"), QObject::tr("EBM checkpoints (*.ebm)"),
                               QStringLiteral(".ebm")));
}

FieldSet<TrainingSettings> declareTrainingFields()
{
    FieldSet<TrainingSettings> f(QStringLiteral("training"));
    declareDataFields(f);
    declareModelFields(f);
    declareNoiseFields(f);
    declareOptimiserFields(f);
    declareOutputFields(f);
    return f;
}

}  // namespace

QString defaultTrainingCheckpointPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("checkpoints/studio-run.ebm"));
}

const FieldSet<TrainingSettings>& trainingFields()
{
    static const FieldSet<TrainingSettings> fields = declareTrainingFields();
    return fields;
}

}  // namespace ebm::studio
