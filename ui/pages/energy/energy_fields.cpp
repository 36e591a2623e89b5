#include "pages/energy/energy_fields.h"

#include <QObject>

#include <limits>

namespace ebm::studio {
namespace {

constexpr int kMaxDraws = 100000;  // each draw is one pass over the images
constexpr int kNoiseDecimals = 4;
constexpr double kMaxNoiseStd = 10.0;
constexpr double kNoiseStep = 0.01;
constexpr int kMaxSeedInField = std::numeric_limits<int>::max();

FieldSet<EnergyMeasureSettings> declareEnergyFields()
{
    using S = EnergyMeasureSettings;
    // Kept between runs under the page's session key.
    FieldSet<S> f{QStringLiteral("energy")};
    const QString measurement = QObject::tr("Measurement");
    // Session keys are the names the page wrote by hand before (camelCase, not snake_case).
    f.real(QStringLiteral("noiseStd"), &S::noiseStd)
        .label(QObject::tr("Noise std"))
        .group(measurement)
        .range(0.0, kMaxNoiseStd)
        .decimals(kNoiseDecimals)
        .step(kNoiseStep)
        .jsonKey(QStringLiteral("noiseStd"))
        .undoText(QObject::tr("energy noise std"))
        .tip(QObject::tr("N(0, std²) added before each evaluation (default: the model's sigma0); 0 = none"));
    f.integer(QStringLiteral("draws"), &S::draws)
        .label(QObject::tr("Draws (K)"))
        .group(measurement)
        .range(1, kMaxDraws)
        .undoText(QObject::tr("energy noise draws"))
        .tip(QObject::tr("Noise draws averaged per image"));
    // A JSON number, as the page always wrote it (the field's range keeps it exact in a double).
    f.integer(QStringLiteral("seed"), &S::seed)
        .label(QObject::tr("Seed"))
        .group(measurement)
        .range(0, kMaxSeedInField)
        .undoText(QObject::tr("energy seed"));
    f.flag(QStringLiteral("residual"), &S::residual)
        .label(QObject::tr("Denoising residual ‖σ0² ∂E/∂x‖"))
        .group(measurement)
        .undoText(QObject::tr("denoising residual"))
        .tip(QObject::tr("A second score (an input gradient per draw)"));
    return f;
}

}  // namespace

const FieldSet<EnergyMeasureSettings>& energyFields()
{
    static const FieldSet<EnergyMeasureSettings> fields = declareEnergyFields();
    return fields;
}

}  // namespace ebm::studio
