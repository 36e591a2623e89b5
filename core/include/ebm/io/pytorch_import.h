#pragma once
#include <map>
#include <optional>
#include <string>
#include <ATen/core/ivalue.h>
#include <torch/types.h>

namespace ebm {

/// Reads a file written by PyTorch's torch.save(model.state_dict(), path): the zip container
/// (PyTorch >= 1.6) whose data.pkl pickles an OrderedDict of tensors. Copes with the
/// `_metadata` attribute that LibTorch's own pickle loader rejects. Returns name -> tensor
/// (CPU, contiguous, float32 for floating point data). Throws ebm::Error naming the file and
/// what is wrong (not a zip, truncated, not a state_dict, unsupported storage type...).
std::map<std::string, torch::Tensor> readPytorchStateDict(const std::string& path);

/// Reads the attributes of the module that a torch::serialize archive holds (native checkpoints):
/// name -> string, bool, int, double or tensor (CPU, contiguous, in the type stored). nullopt when
/// the zip's data.pkl is not such a module (a PyTorch state_dict, say). The same hardened reader as
/// readPytorchStateDict: zip CRCs, every tensor record's size against its shape, capped pickles.
/// LibTorch's own loader is not used: it trusts the sizes the file states (a few flipped bytes made
/// it allocate gigabytes or read past a record) and compiles the archive's TorchScript code.
/// Throws ebm::Error naming the file.
std::optional<std::map<std::string, c10::IValue>> readArchiveAttributes(const std::string& path);

/// True when the file starts like a zip archive (both native and PyTorch files do). Throws
/// ebm::Error for what is not a regular file (a pipe would block the read).
bool looksLikeZip(const std::string& path);

/// Refuses, in one line naming the file, a file in the pickle format that torch.save wrote before
/// PyTorch 1.6 (or with _use_new_zipfile_serialization=False), saying how to save it again in
/// the zip format this program reads. Other files pass. Call it where a zip is expected.
void refuseLegacyTorchSave(const std::string& path);

}  // namespace ebm
