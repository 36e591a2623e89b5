#pragma once
// The ebm tool's subcommands, one file each. Every command parses the arguments after its
// name, prints its results, and throws ebm::Error with one clear line on failure (main prints
// it and exits with status 1). The return value is the exit status.
namespace ebm::cli {

int runTrain(int argc, char** argv);
int runSample(int argc, char** argv);
int runInpaint(int argc, char** argv);
int runEnergy(int argc, char** argv);
int runDenoise(int argc, char** argv);
int runInfo(int argc, char** argv);
int runEval(int argc, char** argv);
int runTrainClassifier(int argc, char** argv);
int runBench(int argc, char** argv);
int runSchedule(int argc, char** argv);
int runExport(int argc, char** argv);
int runPath(int argc, char** argv);
int runSweep(int argc, char** argv);

}  // namespace ebm::cli
