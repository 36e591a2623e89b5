// 2D toy distributions for teaching demos, drawn point by point from one seeded engine so a
// seed always gives the same points.
#include "ebm/io/toy2d.h"

#include <cmath>
#include <random>
#include <utility>

#include <torch/torch.h>

#include "io/dataset_reading.h"

namespace ebm {
using internal::fail;
using internal::lowerCase;

namespace {

constexpr int64_t kMaxToyPoints = int64_t{50} * 1000 * 1000;

constexpr double kPi = 3.14159265358979323846;

/// One toy generator: fills `count` points using the shared random engine.
using ToyPoint = std::pair<double, double>;

class ToySampler {
public:
    explicit ToySampler(uint64_t seed) : engine_(seed) {}
    double normal() { return normal_(engine_); }
    double uniform() { return uniform_(engine_); }   // [0, 1)
    int choice(int n) { return std::uniform_int_distribution<int>(0, n - 1)(engine_); }

    // Eight Gaussians on a circle (as in FFJORD / the MDSM demos).
    ToyPoint eightGaussians() {
        constexpr double kRadius = 2.828;   // 4 / sqrt(2): keeps the clusters inside [-4, 4]
        constexpr double kSpread = 0.35;
        const double angle = choice(8) * kPi / 4.0;
        return {kRadius * std::cos(angle) + kSpread * normal(), kRadius * std::sin(angle) + kSpread * normal()};
    }
    // Four concentric rings.
    ToyPoint rings() {
        constexpr double kRingSpacing = 0.9;   // radii 0.9, 1.8, 2.7, 3.6
        constexpr double kNoise = 0.08;
        const double radius = kRingSpacing * (1 + choice(4));
        const double angle = 2.0 * kPi * uniform();
        return {radius * std::cos(angle) + kNoise * normal(), radius * std::sin(angle) + kNoise * normal()};
    }
    // The Swiss roll seen from above (sklearn's make_swiss_roll, x and z).
    ToyPoint swissRoll() {
        constexpr double kScale = 0.25;   // t reaches 4.5 pi ~ 14.1
        constexpr double kNoise = 0.25;
        const double t = 1.5 * kPi * (1.0 + 2.0 * uniform());
        return {kScale * t * std::cos(t) + kNoise * normal(), kScale * t * std::sin(t) + kNoise * normal()};
    }
    // Two interleaving half circles (sklearn's make_moons), stretched and centred.
    ToyPoint moons() {
        constexpr double kScale = 2.0;
        constexpr double kNoise = 0.1;
        const double angle = kPi * uniform();
        const bool upper = choice(2) == 0;
        const double x = upper ? std::cos(angle) : 1.0 - std::cos(angle);
        const double y = upper ? std::sin(angle) : 0.5 - std::sin(angle);
        return {kScale * (x + kNoise * normal()) - 1.0, kScale * (y + kNoise * normal()) - 0.5};
    }
    // A 4x4 checkerboard of uniform squares on [-4, 4]^2.
    ToyPoint checkerboard() {
        constexpr double kSquare = 2.0;
        const double x = 4.0 * uniform() - 2.0;                       // [-2, 2)
        const double y = uniform() - 2.0 * choice(2) + std::fmod(std::floor(x) + 4.0, 2.0);   // the black squares
        return {kSquare * x, kSquare * y};
    }
    // Two interleaved spirals.
    ToyPoint spirals() {
        constexpr double kTurns = 540.0 * 2.0 * kPi / 360.0;   // one and a half turns
        constexpr double kScale = 1.0 / 3.0;
        constexpr double kNoise = 0.1;
        const double t = std::sqrt(uniform()) * kTurns;
        double x = -std::cos(t) * t + 0.5 * uniform();
        double y = std::sin(t) * t + 0.5 * uniform();
        if (choice(2) == 1) x = -x, y = -y;
        return {kScale * x + kNoise * normal(), kScale * y + kNoise * normal()};
    }

private:
    std::mt19937_64 engine_;
    std::normal_distribution<double> normal_{0.0, 1.0};
    std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
    return text;
}

}  // namespace

std::vector<std::string> toy2dNames() {
    return {"8gaussians", "rings", "swissroll", "moons", "checkerboard", "spirals"};
}

Dataset makeToy2d(const std::string& name, int64_t count, uint64_t seed) {
    const std::string key = lowerCase(name);
    using Generator = ToyPoint (ToySampler::*)();
    const std::pair<const char*, Generator> generators[] = {
        {"8gaussians", &ToySampler::eightGaussians}, {"rings", &ToySampler::rings},
        {"swissroll", &ToySampler::swissRoll},       {"moons", &ToySampler::moons},
        {"checkerboard", &ToySampler::checkerboard}, {"spirals", &ToySampler::spirals}};
    Generator generator = nullptr;
    for (const auto& [candidate, function] : generators)
        if (key == candidate) generator = function;
    if (!generator) fail("toy:" + name, "unknown toy data set; choose one of " + joined(toy2dNames()));
    if (count <= 0 || count > kMaxToyPoints)
        fail("toy:" + name, "point count " + std::to_string(count) + " is out of range (1.." +
                std::to_string(kMaxToyPoints) + ")");

    ToySampler sampler(seed);
    torch::Tensor points = torch::empty({count, 2}, torch::kFloat);
    float* out = points.data_ptr<float>();
    for (int64_t i = 0; i < count; ++i) {
        const ToyPoint point = (sampler.*generator)();
        out[2 * i] = float(point.first);
        out[2 * i + 1] = float(point.second);
    }
    Dataset dataset;
    dataset.name = "toy:" + key;
    dataset.data = points;
    return dataset;
}

}  // namespace ebm
