#include "widgets/studio_page.h"

namespace ebm::studio {

void StudioPage::togglePause()
{
    if (isRunning() && pausable_)
        run_->togglePause();
}

void StudioPage::stepOnce()
{
    if (isRunning() && pausable_)
        run_->step();
}

void StudioPage::stop()
{
    if (isRunning())
        run_->cancel();
}

}  // namespace ebm::studio
