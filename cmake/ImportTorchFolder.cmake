# Makes an imported target of the LibTorch in EBM_TORCH_ROOT (PyTorch's `torch` folder from a
# wheel: include/ and lib/) and sets TORCH_LIBRARIES and TORCH_INCLUDE_DIRS as TorchConfig does.
# The CUDA libraries are linked when present, and kept even though nothing names them directly:
# they register the CUDA kernels when loaded.
set(EBM_TORCH_CXX11_ABI 1 CACHE STRING
    "_GLIBCXX_USE_CXX11_ABI of that LibTorch (python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')")

set(_torch_include "${EBM_TORCH_ROOT}/include")
set(_torch_lib "${EBM_TORCH_ROOT}/lib")
if(NOT EXISTS "${_torch_include}/torch/csrc/api/include/torch/torch.h")
  message(FATAL_ERROR "EBM_TORCH_ROOT=${EBM_TORCH_ROOT} holds no LibTorch headers "
                      "(include/torch/csrc/api/include/torch/torch.h); give the folder that has include/ and lib/")
endif()

set(_torch_libraries)
foreach(name torch torch_cpu c10 torch_cuda c10_cuda)
  find_library(_torch_${name} NAMES ${name} PATHS "${_torch_lib}" NO_DEFAULT_PATH)
  if(_torch_${name})
    list(APPEND _torch_libraries "${_torch_${name}}")
  elseif(name MATCHES "^(torch|torch_cpu|c10)$")
    message(FATAL_ERROR "EBM_TORCH_ROOT=${EBM_TORCH_ROOT}: lib${name}.so is missing from ${_torch_lib}")
  endif()
endforeach()

add_library(ebm_torch INTERFACE IMPORTED)
set(TORCH_INCLUDE_DIRS "${_torch_include}" "${_torch_include}/torch/csrc/api/include")
set_target_properties(ebm_torch PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${TORCH_INCLUDE_DIRS}"
    INTERFACE_COMPILE_DEFINITIONS "_GLIBCXX_USE_CXX11_ABI=${EBM_TORCH_CXX11_ABI}"
    INTERFACE_LINK_LIBRARIES "-Wl,--no-as-needed;${_torch_libraries};-Wl,--as-needed"
    INTERFACE_LINK_OPTIONS "LINKER:-rpath,${_torch_lib}")
set(TORCH_LIBRARIES ebm_torch)
if(_torch_torch_cuda)
  message(STATUS "LibTorch from ${EBM_TORCH_ROOT}, with CUDA")
else()
  message(STATUS "LibTorch from ${EBM_TORCH_ROOT}, CPU only")
endif()
