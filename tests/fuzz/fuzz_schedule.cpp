// libFuzzer target: a schedule curve file ("ebm-schedule" JSON) through ScheduleCurve::fromJson
// (in memory), then expanded to the per-step temperatures the sampler runs on. A curve that was
// accepted must also survive its own JSON: what the studio saves, it must open again unchanged.
#include "ebm/schedule/schedule_curve.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::optional<ebm::ScheduleCurve> curve;
    ebm::fuzz::expectCleanError([&] {
        curve = ebm::ScheduleCurve::fromJson(text, "fuzz.json");
        curve->expand();
    });
    if (!curve) return 0;
    try {
        const ebm::ScheduleCurve again = ebm::ScheduleCurve::fromJson(curve->toJson(), "written back");
        bool same = again.steps() == curve->steps() && again.points().size() == curve->points().size();
        for (size_t i = 0; same && i < again.points().size(); ++i) {
            const ebm::CurvePoint &a = again.points()[i], &b = curve->points()[i];
            same = a.step == b.step && a.temperature == b.temperature &&
                   (i + 1 == again.points().size() || a.toNext == b.toNext);
        }
        if (!same) {
            std::fprintf(stderr, "ebm fuzz: a schedule changed when written and read back\n");
            std::abort();
        }
    } catch (const ebm::Error& error) {
        std::fprintf(stderr, "ebm fuzz: a schedule that was accepted is refused when written back: %s\n", error.what());
        std::abort();
    }
    return 0;
}
