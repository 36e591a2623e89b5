#pragma once
// The evaluation subcommands of the ebm tool (wired into ebm_main.cpp as `ebm eval` and
// `ebm train-classifier`). Both parse argv after the subcommand name, print results, and throw
// ebm::Error with one clear line on failure (the caller prints it and returns 1).

/// ebm eval: sample quality (Frechet distance, inception-like score, class histogram), nearest
/// training neighbours and AIS log-likelihood of an energy model or a file of samples.
int runEvalCommand(int argc, char** argv);

/// ebm train-classifier: trains the small CNN whose features the sample quality figures use.
int runTrainClassifierCommand(int argc, char** argv);
