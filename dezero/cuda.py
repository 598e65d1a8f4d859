"""Array-module indirection (step 52): CuPy when it and a GPU are there, else NumPy."""
import numpy as np

try:
    import cupy

    try:
        gpu_enable = cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - no driver / no device: stay on the CPU
        gpu_enable = False
except ImportError:
    cupy = None
    gpu_enable = False

array_types = (np.ndarray,) if cupy is None else (np.ndarray, cupy.ndarray)


def get_array_module(x):
    """`numpy` or `cupy`, whichever module owns `x` (a Variable or an array)."""
    from dezero.core import Variable

    if isinstance(x, Variable):
        x = x.data
    if cupy is None:
        return np
    return cupy.get_array_module(x)


def as_numpy(x):
    """A NumPy array for `x` (a Variable, a scalar, a list, a NumPy or CuPy array)."""
    from dezero.core import Variable

    if isinstance(x, Variable):
        x = x.data
    if np.isscalar(x):
        return np.array(x)
    if isinstance(x, np.ndarray):
        return x
    if cupy is not None and isinstance(x, cupy.ndarray):
        return cupy.asnumpy(x)
    return np.asarray(x)


def as_cupy(x):
    """A CuPy array for `x`; raises a clear error when no GPU can be used."""
    from dezero.core import Variable

    if isinstance(x, Variable):
        x = x.data
    if not gpu_enable:
        raise RuntimeError(
            "CuPy with a CUDA GPU is needed for to_gpu(); install cupy for your CUDA "
            "version, or stay on the CPU (NumPy)"
        )
    return cupy.asarray(x)


def add_at(a, indices, values):
    """In-place unbuffered `a[indices] += values`: repeated indices accumulate.

    numpy.add.at on the CPU; CuPy spells the same scatter-add cupyx.scatter_add.
    """
    if isinstance(a, np.ndarray):
        np.add.at(a, indices, values)
        return
    import cupyx

    cupyx.scatter_add(a, indices, values)
