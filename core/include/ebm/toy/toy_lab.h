#pragma once
// The 2D teaching demos' engine (the studio's Learn page and `ebm bench --toy`): weighted
// Gaussian mixtures, a fast MLP energy evaluator with a hand-written MDSM gradient, a step-by-step
// toy trainer, annealed Langevin for particles, the energy landscape on a grid, sample-quality
// measures and the measure-concentration statistics of the paper's section 2. No Qt.
// Each part has its own header; this one includes them all.
#include "ebm/toy/fast_mlp.h"
#include "ebm/toy/landscape.h"
#include "ebm/toy/particles.h"
#include "ebm/toy/toy_data.h"
#include "ebm/toy/toy_metrics.h"
#include "ebm/toy/toy_trainer.h"
// Callers of the one-header lab have long had the MDSM loss's declarations through it.
#include "ebm/train/mdsm.h"
