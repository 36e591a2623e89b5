#pragma once
// QCustomPlot's header uses Qt's keyword macros (signals, slots, emit, foreach), which this
// project switches off with QT_NO_KEYWORDS (they clash with torch). Define them for this one
// header only. Include this instead of <qcustomplot.h>, and only from .cpp files.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
