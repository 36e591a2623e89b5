#pragma once
// The Landscape page's settings, declared once each: the Path view's (data set, the two ends,
// line or relaxed band, points, iterations) and the Plane view's (data set, three images or the
// principal components of a set, resolution, chains). Each image has its source: a data set
// item, a picture file, the Sample page's selected sample or the Energy table's selected row
// (of the last two only the source is kept, never the image). Both are kept in the QSettings
// group "landscape" and in the session's "landscape" object; the keys of the two views differ by
// their prefix ("path…", "plane…").
#include "widgets/settings_form.h"
#include "pages/landscape/landscape_jobs.h"

namespace ebm::studio {

const FieldSet<LandscapePathSettings>& landscapePathFields();
const FieldSet<LandscapePlaneSettings>& landscapePlaneFields();

/// The chosen items of a view, in order (From, To; A, B, C): what its thumbnails show.
QVector<LandscapeItem> pathItems(const LandscapePathSettings& settings);
QVector<LandscapeItem> planeItems(const LandscapePlaneSettings& settings);

}  // namespace ebm::studio
