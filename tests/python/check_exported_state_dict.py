"""Python's torch.load reads a file written by `ebm export --format pytorch` as the same kind of
state_dict that the reference code saves: same keys, shapes and dtypes as the fixture saved by
that code, and the same values (exporting the fixture itself gives it back tensor for tensor).

Usage: python3 check_exported_state_dict.py EXPORTED.pt REFERENCE.pt
Run by ctest only where Debian's python3-torch is installed (it is not a build dependency).
"""
import sys

import torch

exported = torch.load(sys.argv[1])
reference = torch.load(sys.argv[2])
if not isinstance(exported, dict):
    sys.exit(f"torch.load gave a {type(exported).__name__}, not a dict")
if set(exported) != set(reference):
    sys.exit(f"keys differ: only exported {sorted(set(exported) - set(reference))}, "
             f"only reference {sorted(set(reference) - set(exported))}")
for name, tensor in reference.items():
    if exported[name].shape != tensor.shape or exported[name].dtype != tensor.dtype:
        sys.exit(f"{name}: exported {tuple(exported[name].shape)} {exported[name].dtype}, "
                 f"reference {tuple(tensor.shape)} {tensor.dtype}")
    if not torch.equal(exported[name], tensor):
        sys.exit(f"{name}: values differ")
print(f"torch {torch.__version__} reads {len(exported)} tensors with the reference layout")
