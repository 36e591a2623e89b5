#include "engine/settings_json.h"

namespace ebm::studio {
namespace {

// JSON numbers are doubles: 64-bit counts and seeds travel as text.
QString bigNumber(quint64 value) { return QString::number(value); }

quint64 readBigNumber(const QJsonValue& value, quint64 fallback)
{
    bool ok = false;
    const quint64 parsed = value.toString().toULongLong(&ok);
    if (ok)
        return parsed;
    return value.isDouble() ? static_cast<quint64>(value.toDouble()) : fallback;
}

}  // namespace

QJsonObject toJson(const TrainingSettings& s)
{
    return QJsonObject{
        {"dataset", datasetKindName(s.datasetKind)},
        {"dataset_path", s.datasetPath},
        {"image_size", s.imageSize},
        {"image_channels", s.imageChannels},
        {"architecture", s.architecture},
        {"width", s.width},
        {"head", s.head},
        {"initial_weights", s.initialWeights},
        {"sigma_min", s.sigmaMin},
        {"sigma_max", s.sigmaMax},
        {"spread", s.spread},
        {"sigma0", s.sigma0},
        {"learning_rate", s.learningRate},
        {"cosine_decay", s.cosineDecay},
        {"final_learning_rate", s.finalLearningRate},
        {"batch_size", s.batchSize},
        {"steps", bigNumber(static_cast<quint64>(s.steps))},
        {"seed", bigNumber(s.seed)},
        {"preview_every", s.previewEvery},
        {"preview_samples", s.previewSamples},
        {"preview_steps", s.previewSteps},
        {"checkpoint_every", s.checkpointEvery},
        {"checkpoint_path", s.checkpointPath},
    };
}

TrainingSettings trainingFromJson(const QJsonObject& j)
{
    const TrainingSettings d;
    TrainingSettings s;
    s.datasetKind = parseDatasetKind(j.value("dataset").toString(datasetKindName(d.datasetKind)));
    s.datasetPath = j.value("dataset_path").toString(d.datasetPath);
    s.imageSize = j.value("image_size").toInt(d.imageSize);
    s.imageChannels = j.value("image_channels").toInt(d.imageChannels);
    s.architecture = j.value("architecture").toString(d.architecture);
    s.width = j.value("width").toInt(d.width);
    s.head = j.value("head").toString(d.head);
    s.initialWeights = j.value("initial_weights").toString(d.initialWeights);
    s.sigmaMin = j.value("sigma_min").toDouble(d.sigmaMin);
    s.sigmaMax = j.value("sigma_max").toDouble(d.sigmaMax);
    s.spread = j.value("spread").toString(d.spread);
    s.sigma0 = j.value("sigma0").toDouble(d.sigma0);
    s.learningRate = j.value("learning_rate").toDouble(d.learningRate);
    s.cosineDecay = j.value("cosine_decay").toBool(d.cosineDecay);
    s.finalLearningRate = j.value("final_learning_rate").toDouble(d.finalLearningRate);
    s.batchSize = j.value("batch_size").toInt(d.batchSize);
    s.steps = static_cast<qint64>(readBigNumber(j.value("steps"), static_cast<quint64>(d.steps)));
    s.seed = readBigNumber(j.value("seed"), d.seed);
    s.previewEvery = j.value("preview_every").toInt(d.previewEvery);
    s.previewSamples = j.value("preview_samples").toInt(d.previewSamples);
    s.previewSteps = j.value("preview_steps").toInt(d.previewSteps);
    s.checkpointEvery = j.value("checkpoint_every").toInt(d.checkpointEvery);
    s.checkpointPath = j.value("checkpoint_path").toString(d.checkpointPath);
    return s;
}

QJsonObject toJson(const EvaluationSettings& s)
{
    return QJsonObject{
        {"fid", s.fid},
        {"inception_like", s.inceptionLike},
        {"neighbours", s.neighbours},
        {"likelihood", s.likelihood},
        {"num_samples", s.numSamples},
        {"schedule", s.schedulePreset},
        {"steps", s.steps},
        {"step_size", s.stepSize},
        {"seed", bigNumber(s.seed)},
        {"samples_path", s.samplesPath},
        {"reference_limit", s.referenceLimit},
        {"classifier_path", s.classifierPath},
        {"neighbour_queries", s.neighbourQueries},
        {"neighbours_per_query", s.neighboursPerQuery},
        {"ais_steps", s.aisSteps},
        {"ais_images", s.aisImages},
        {"ais_chains", s.aisChains},
        {"ais_transition", s.aisTransition},
        {"ais_leapfrog", s.aisLeapfrog},
        {"ais_forward", s.aisForward},
        {"ais_reverse", s.aisReverse},
    };
}

EvaluationSettings evaluationFromJson(const QJsonObject& j)
{
    const EvaluationSettings d;
    EvaluationSettings s;
    s.fid = j.value("fid").toBool(d.fid);
    s.inceptionLike = j.value("inception_like").toBool(d.inceptionLike);
    s.neighbours = j.value("neighbours").toBool(d.neighbours);
    s.likelihood = j.value("likelihood").toBool(d.likelihood);
    s.numSamples = j.value("num_samples").toInt(d.numSamples);
    s.schedulePreset = j.value("schedule").toString(d.schedulePreset);
    s.steps = j.value("steps").toInt(d.steps);
    s.stepSize = j.value("step_size").toDouble(d.stepSize);
    s.seed = readBigNumber(j.value("seed"), d.seed);
    s.samplesPath = j.value("samples_path").toString(d.samplesPath);
    s.referenceLimit = j.value("reference_limit").toInt(d.referenceLimit);
    s.classifierPath = j.value("classifier_path").toString(d.classifierPath);
    s.neighbourQueries = j.value("neighbour_queries").toInt(d.neighbourQueries);
    s.neighboursPerQuery = j.value("neighbours_per_query").toInt(d.neighboursPerQuery);
    s.aisSteps = j.value("ais_steps").toInt(d.aisSteps);
    s.aisImages = j.value("ais_images").toInt(d.aisImages);
    s.aisChains = j.value("ais_chains").toInt(d.aisChains);
    s.aisTransition = j.value("ais_transition").toString(d.aisTransition);
    s.aisLeapfrog = j.value("ais_leapfrog").toInt(d.aisLeapfrog);
    s.aisForward = j.value("ais_forward").toBool(d.aisForward);
    s.aisReverse = j.value("ais_reverse").toBool(d.aisReverse);
    return s;
}

}  // namespace ebm::studio
