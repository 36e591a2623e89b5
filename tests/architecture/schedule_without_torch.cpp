// Links core's schedule library alone, as the studio's GUI thread uses it: if that library ever
// needed torch, this program would not link (or ldd would list libtorch; see CMakeLists.txt).
#include <cstdio>

#include "ebm/schedule/sampling_options.h"
#include "ebm/schedule/schedule_curve.h"

int main()
{
    const ebm::ScheduleCurve curve = ebm::ScheduleCurve::preset("paper");
    const ebm::Schedule schedule = curve.rescaled(100).expand();
    std::printf("paper curve at 100 steps: %d temperatures, first %g\n", schedule.size(),
                schedule.temperatures().front());
    return schedule.size() == 100 ? 0 : 1;
}
