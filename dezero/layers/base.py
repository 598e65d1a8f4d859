"""Layer (steps 44-45, 53): a container of Parameters and sub-Layers.

Fixed from the book: parameters are kept in insertion order (the book keeps
their names in a set, so `params()` came out in a different order from run
to run); `load_weights` checks the file against the layer before changing
anything and names every missing, unexpected or mis-shaped key; and
`save_weights` writes a temporary file first, so an interrupted save never
leaves a half-written .npz behind. Not in the book: layers kept in a list
attribute (which params() cannot see) are warned of, and the built-in layers
take a list of numbers as the F functions do.
"""
import os
import secrets
import warnings
import weakref
import zipfile

import numpy as np

from dezero import cuda
from dezero.core import Parameter, Variable, foreign_variable_error
from dezero.cuda import array_types


class WeightsMismatchError(ValueError):
    """`load_weights` found a file that does not fit the layer (nothing was loaded)."""


def _npz_path(path):
    """numpy.savez appends .npz to a path without it; save and load agree on that."""
    path = os.fspath(path)
    return path if path.endswith(".npz") else path + ".npz"


class Layer:
    """Base of every layer: assigning a Parameter or a Layer to an attribute registers it.

    Subclasses implement `forward(*inputs)`; calling the layer runs it and
    keeps weak references to the inputs and outputs, as in the book.
    """

    def __init__(self):
        # Parameter/Layer attribute names in the order they were first assigned
        # (kept if a subclass already assigned some before calling us).
        if "_params" not in self.__dict__:
            self._params = {}

    def __setattr__(self, name, value):
        names = self.__dict__.get("_params")
        if names is None and name != "_params":
            # A subclass that sets attributes before calling super().__init__().
            names = {}
            object.__setattr__(self, "_params", names)
        if names is not None:
            if isinstance(value, (Parameter, Layer)):
                names[name] = None
            else:
                # e.g. `self.b = None` for nobias: it is no longer a parameter.
                names.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        self.__dict__.get("_params", {}).pop(name, None)
        object.__delattr__(self, name)

    def __call__(self, *inputs):
        outputs = self.forward(*inputs)
        if not isinstance(outputs, tuple):
            outputs = (outputs,)
        self.inputs = [weakref.ref(x) for x in inputs if _weakrefable(x)]
        self.outputs = [weakref.ref(y) for y in outputs if _weakrefable(y)]
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *inputs):
        raise NotImplementedError(
            f"{type(self).__name__}.forward is not implemented: define "
            "forward(self, x) returning the layer's output"
        )

    def params(self):
        """Every Parameter of this layer and its sub-layers, depth first, in assignment order.

        A Parameter shared by two sub-layers is yielded once, so an optimizer
        updates it once per step.
        """
        if "_containers_checked" not in self.__dict__:
            _warn_unregistered(self)
        seen = set()
        for param in self._walk_params():
            if id(param) not in seen:
                seen.add(id(param))
                yield param

    def _walk(self, parent_key=""):
        """(key, obj) for every Parameter and sub-layer of this layer and its
        sub-layers, depth first in assignment order; a sub-layer comes before
        its own entries, and `key` is the path ("l0/W") save_weights uses.
        The one walk that params, _flatten_params and load_weights share."""
        for name in self._params:
            obj = self.__dict__[name]
            key = parent_key + "/" + name if parent_key else name
            yield key, obj
            if isinstance(obj, Layer):
                yield from obj._walk(key)

    def _walk_params(self):
        return (obj for _, obj in self._walk() if not isinstance(obj, Layer))

    def cleargrads(self):
        for param in self.params():
            param.cleargrad()

    def to_cpu(self):
        """Move every parameter (and its grad) to NumPy."""
        for param in self.params():
            param.to_cpu()
            if param.grad is not None:
                param.grad.to_cpu()
        return self

    def to_gpu(self):
        """Move every parameter (and its grad) to CuPy; needs CuPy and a CUDA GPU."""
        for param in self.params():
            param.to_gpu()
            if param.grad is not None:
                param.grad.to_gpu()
        return self

    def _flatten_params(self, params_dict, parent_key=""):
        params_dict.update((key, obj) for key, obj in self._walk(parent_key) if not isinstance(obj, Layer))

    def save_weights(self, path):
        """Write every parameter to an .npz file, keyed by its path, e.g. "l0/W".

        `.npz` is appended when `path` lacks it (as numpy.savez does). Arrays on
        the GPU are copied to the CPU; the layer itself is not moved.
        """
        if "_containers_checked" not in self.__dict__:
            _warn_unregistered(self)
        params_dict = {}
        self._flatten_params(params_dict)
        unset = [key for key, param in params_dict.items() if param.data is None]
        if unset:
            raise ValueError(
                f"cannot save weights: parameters {', '.join(unset)} are not initialised yet "
                "(their size is set by the first input); call the layer on an input once, "
                "then save"
            )
        arrays = {key: cuda.as_numpy(param.data) for key, param in params_dict.items()}
        path = _npz_path(path)
        folder, name = os.path.split(os.path.abspath(path))
        if not os.path.isdir(folder):
            # Not created for the user (unlike plot_dot_graph's picture): a mistyped folder
            # would hide the weights somewhere unexpected; the layer keeps its weights.
            raise FileNotFoundError(
                f"cannot save weights to {path!r}: the folder {folder!r} does not exist; "
                f"create it first (os.makedirs({folder!r}, exist_ok=True)) or check the path"
            )
        # Same folder, so os.replace is atomic; open() (not mkstemp) so the file
        # gets the usual permissions from the umask.
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            with open(tmp, "xb") as f:
                np.savez_compressed(f, **arrays)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return path

    def load_weights(self, path):
        """Load parameters saved by `save_weights`; all-or-nothing.

        Raises WeightsMismatchError (a ValueError) naming missing keys,
        unexpected keys and shape mismatches, and leaves the layer unchanged.
        A lazily-sized parameter that is still uninitialised takes its input
        size from the file; its other sizes must match the layer's, and W takes
        the layer's dtype, as a built one does.
        """
        path = os.fspath(path)
        if not os.path.exists(path) and os.path.exists(_npz_path(path)):
            path = _npz_path(path)
        params_dict = {}
        self._flatten_params(params_dict)
        arrays = _read_npz(path)
        missing = [k for k in params_dict if k not in arrays]
        unexpected = [k for k in arrays if k not in params_dict]
        expected = self._expected_shapes(params_dict)
        mismatched = [
            f"{k}: file {arrays[k].shape}, layer {_shape_text(expected[k])}"
            for k in params_dict
            if k in arrays and expected[k] is not None and not _shape_fits(arrays[k].shape, expected[k])
        ]
        if missing or unexpected or mismatched:
            parts = []
            if missing:
                parts.append("missing from the file: " + ", ".join(missing))
            if unexpected:
                parts.append("in the file but not in the layer: " + ", ".join(unexpected))
            if mismatched:
                parts.append("shape mismatches: " + "; ".join(mismatched))
            raise WeightsMismatchError(
                f"{path!r} does not fit {type(self).__name__} ("
                + " | ".join(parts)
                + "); nothing was loaded. Build the same architecture (same layer "
                "sizes and attribute names) as the one that saved the file."
            )
        for key, param in params_dict.items():
            array = arrays[key]
            if param.data is not None:
                xp = cuda.get_array_module(param.data)
                array = array.astype(param.data.dtype, copy=False)
                if xp is not np:
                    array = cuda.as_cupy(array)
            param.data = array
        for layer in [self] + [obj for _, obj in self._walk() if isinstance(obj, Layer)]:
            layer._weights_loaded()

    def _weights_loaded(self):
        """Hook run after load_weights: a layer whose sizes follow its weights sets them."""

    def _unbuilt_shape(self, name):
        """The shape parameter `name` must take while it is uninitialised, None for a size
        the file may set; None when any shape will do."""
        return None

    def _expected_shapes(self, params_dict):
        """key -> the shape load_weights requires (see _unbuilt_shape) or None. An unbuilt
        layer trusted the file: Linear(3, nobias=True) took a W with 5 outputs silently."""
        owners = {"": self}
        owners.update((key, obj) for key, obj in self._walk() if isinstance(obj, Layer))
        shapes = {}
        for key, param in params_dict.items():
            if param.data is not None:
                shapes[key] = param.data.shape
            else:
                parent, _, name = key.rpartition("/")
                shapes[key] = owners[parent]._unbuilt_shape(name)
        return shapes


def _shape_fits(shape, expected):
    return len(shape) == len(expected) and all(e is None or e == n for n, e in zip(shape, expected))


def _shape_text(shape):
    """(any, 3) for a shape whose None sizes the file may set."""
    if None not in shape:
        return str(tuple(shape))
    return "(" + ", ".join("any" if n is None else str(n) for n in shape) + ")"


def _read_npz(path):
    """The arrays of a file written by save_weights, by key.

    NumPy's own error for another kind of file advises allow_pickle=True,
    which is wrong here and unsafe (unpickling runs code from the file)."""
    try:
        loaded = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(
            f"{path!r} is not a weights file saved by save_weights (not an .npz archive of "
            "arrays); check the path. Nothing was loaded."
        ) from exc
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise ValueError(
            f"{path!r} holds a single array (.npy), not a weights file saved by save_weights "
            "(an .npz archive keyed like 'l0/W'). Nothing was loaded."
        )
    try:
        with loaded as npz:
            return {key: npz[key] for key in npz.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(
            f"{path!r} is not a weights file saved by save_weights (damaged, or it holds "
            "objects rather than arrays). Nothing was loaded."
        ) from exc


def _weakrefable(obj):
    try:
        weakref.ref(obj)
    except TypeError:
        return False
    return True


def _warn_unregistered(root):
    """Warn, once per model, of Layers and Parameters kept in a list, tuple or
    dict attribute and registered nowhere in the model (`self.layers =
    [L.Linear(4), L.Linear(1)]`): params() never yields them, so they were
    silently left untrained. Checked here, not when the list is assigned:
    then the list may be empty (filled by append) or registered just after
    (a setattr loop over it); the warning points at the class's __init__."""
    object.__setattr__(root, "_containers_checked", True)
    layers, known = [root], {id(root)}
    for layer in layers:  # (grows while it runs: every registered sub-layer)
        for name in layer._params:
            obj = layer.__dict__[name]
            if id(obj) not in known:
                known.add(id(obj))
                if isinstance(obj, Layer):
                    layers.append(obj)
    for layer in layers:
        for name, value in list(layer.__dict__.items()):
            if not isinstance(value, (list, tuple, dict)):
                continue
            items = value.values() if isinstance(value, dict) else value
            stray = [x for x in items if isinstance(x, (Layer, Parameter)) and id(x) not in known]
            if stray:
                _warn_at_init(layer, name, value, stray)


def _warn_at_init(layer, name, value, stray):
    cls = type(layer).__name__
    shown = ", ".join(type(x).__name__ for x in stray[:4]) + (", ..." if len(stray) > 4 else "")
    message = (
        f"{cls}.{name} is a {type(value).__name__} holding {len(stray)} Layer/Parameter object(s) "
        f"({shown}) that are not registered: a Layer registers only Layers and Parameters assigned "
        "to it one per attribute, so params() does not yield these, optimizers will not train them, "
        "and cleargrads and save_weights skip them. Assign each as its own attribute (e.g. self.l0 = "
        f"L.Linear(4)), or use setattr in a loop: for i, layer in enumerate(self.{name}): "
        'setattr(self, f"l{i}", layer)')
    code = getattr(type(layer).__init__, "__code__", None)
    if code is None:
        warnings.warn(message, UserWarning, stacklevel=4)
        return
    module_globals = type(layer).__init__.__globals__
    warnings.warn_explicit(message, UserWarning, code.co_filename, code.co_firstlineno,
                           module=module_globals.get("__name__"),
                           registry=module_globals.setdefault("__warningregistry__", {}),
                           module_globals=module_globals)


def layer_size(layer_name, arg, value):
    """A size argument of a built-in layer (out_size, in_channels, ...) as an int, checked
    when the layer is built: a float or negative size failed only at the first call, with
    NumPy's words and neither the layer nor the argument named."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        if value > 0:
            return int(value)
        raise ValueError(f"{layer_name}: {arg} must be a positive integer (a number of units "
                         f"or channels), got {value!r}")
    hint = ""
    if isinstance(value, (float, np.floating)) and float(value).is_integer() and value > 0:
        hint = f"; write {int(value)} (a size computed by / is a float: use // or int())"
    raise TypeError(f"{layer_name}: {arg} must be a positive integer (a number of units or "
                    f"channels), got {type(value).__name__} {value!r}{hint}")


def layer_input(layer, x):
    """`x` as the built-in layers' forward takes it: a Variable or an array.
    A list of numbers becomes an array, as every F function makes it (it failed
    with "'list' object has no attribute 'ndim'"); anything else is refused."""
    if isinstance(x, Variable) or isinstance(x, array_types):
        return x
    name = type(layer).__name__
    if isinstance(x, (list, tuple)):
        try:
            array = np.asarray(x)
        except (ValueError, TypeError):  # rows of different lengths; Variables inside (np.asarray refuses them)
            array = None
        if array is not None and array.dtype.kind in "biuf":
            return array
        raise TypeError(
            f"{name} takes a Variable or a numpy array, got a {type(x).__name__} that is not a table "
            "of numbers (rows of different lengths, or Variables inside: use their arrays, "
            "np.array([a.data, b.data])); pass one array, e.g. "
            "np.array([[1.0, 2.0], [3.0, 4.0]]) for a batch of 2 rows")
    error = foreign_variable_error(x)
    if error is not None:
        raise error
    raise TypeError(f"{name} takes a Variable or a numpy array (e.g. np.array(...)), got "
                    f"{type(x).__name__} ({x!r:.40})")
