#pragma once
// The method's default numbers, held once. No torch here: the studio's plain settings structs
// (read by moc) start from these too.
namespace ebm {

/// sigma0 of eq. 7: the kernel width of the MDSM objective, the denoising jump's scale and
/// the noise added before an energy is measured (Fashion-MNIST and CIFAR-10 in the paper).
constexpr double kDefaultSigma0 = 0.1;
/// eps of eq. 8, the reference code's Langevin step size.
constexpr double kDefaultLangevinStepSize = 0.02;
/// Frames a caller sees during sampling: one every this many steps.
constexpr int kDefaultReportEvery = 10;
/// Largest annealing schedule and sample count a request may ask for: far beyond the paper's
/// 2700 steps and the grids people look at, and small enough that a typo cannot allocate the
/// machine away.
constexpr int kMaxScheduleSteps = 10000000;
constexpr long long kMaxSamplesPerRun = 65536;

/// What a cell of a sweep's picture without samples says in its grey box (core's picture and the
/// studio's grid as it fills).
inline constexpr char kSweepDivergedNote[] = "diverged";
inline constexpr char kSweepStoppedNote[] = "stopped";
inline constexpr char kSweepNotRunNote[] = "not run";

}  // namespace ebm
