"""Optimizers (step 46) and their hooks: WeightDecay, ClipGrad, FreezeParam.

Every update uses the array module of the parameter, so a model moved with
`to_gpu()` is updated on the GPU. Fixed from the book: hooks never change a
grad array in place (backprop may hand one grad array to several
parameters, e.g. both inputs of an add, so the book's in-place `+=` also
changed the other parameter's grad); and a parameter whose grad a hook has
cleared (FreezeParam) is skipped instead of crashing the update.
"""
import math
import numbers

from dezero import cuda
from dezero.core import Parameter, Variable, as_array


def _check_rates(optimizer, example=None, **rates):
    """Rates are checked when the optimizer (or hook) is made: lr='0.1' used to
    fail only in update(), after a whole forward and backward, and a rate out of
    range (SGD(lr=-0.1), ClipGrad(-1.0)) silently climbed the loss. `example`:
    what to write instead (default `name=value`)."""
    for name, value in rates.items():
        default = _DEFAULT_RATES.get(name, 0.01)
        if isinstance(value, bool) or not (isinstance(value, numbers.Real) or _is_real_0d(value)):
            raise TypeError(
                f"{type(optimizer).__name__}: {name} must be a real number, got "
                f"{type(value).__name__} {value!r}; e.g. {example or f'{name}={default}'}"
            )
        allowed, need = _RANGES.get(name, (None, ""))
        if allowed is not None and not allowed(float(value)):   # (NaN fails every test)
            raise ValueError(
                f"{type(optimizer).__name__}: {name} must be {need}, got {value!r}; e.g. "
                f"{example or f'{name}={default}'}"
            )


# name: (test, words): the ranges torch.optim refuses outside; a hook's too
_RANGES = {name: (lambda n: n >= 0, ">= 0") for name in ("lr", "alpha", "momentum", "eps")}
_RANGES.update({"beta1": (lambda n: 0 <= n < 1, "in [0, 1)"), "beta2": (lambda n: 0 <= n < 1, "in [0, 1)"),
                "rho": (lambda n: 0 <= n <= 1, "in [0, 1]"),
                "rate": (lambda n: 0 <= n < math.inf, "a finite number >= 0"),   # (ClipGrad(0) zeroed every grad)
                "max_norm": (lambda n: n > 0, "a number > 0")})


def _is_real_0d(value):
    return getattr(value, "shape", None) == () and getattr(value, "dtype", None) is not None \
        and value.dtype.kind in "iuf"


_DEFAULT_RATES = {"lr": 0.01, "momentum": 0.9, "alpha": 0.001, "beta1": 0.9, "beta2": 0.999,
                  "eps": 1e-8, "rho": 0.95, "rate": 1e-4, "max_norm": 1.0}


# What to write instead of a hook class (add_hook(WeightDecay) applied nothing).
_HOOK_EXAMPLES = {"WeightDecay": "O.WeightDecay(1e-4)", "ClipGrad": "O.ClipGrad(1.0)",
                  "FreezeParam": "O.FreezeParam(model.l0)"}


class Optimizer:
    """Base: `setup(target)` then `update()` after each backward."""

    def __init__(self):
        self.target = None
        self.hooks = []

    def setup(self, target):
        if not callable(getattr(target, "params", None)):
            raise TypeError(
                f"{type(self).__name__}.setup needs a Layer or Model (something with "
                f"params()), got {type(target).__name__}; pass the model itself (or a "
                "Layer), optimizer.setup(model), not model.params()"
            )
        self.target = target
        return self

    def update(self):
        if self.target is None:
            raise RuntimeError(
                f"{type(self).__name__}.update() before setup(): call "
                "optimizer.setup(model) first"
            )
        params = [p for p in self.target.params() if p.grad is not None]
        for hook in self.hooks:
            hook(params)
        for param in params:
            if param.grad is not None:  # a hook (FreezeParam) may have cleared it
                self.update_one(param)

    def update_one(self, param):
        raise NotImplementedError(
            f"{type(self).__name__}.update_one is not implemented: define "
            "update_one(self, param) that changes param.data"
        )

    def add_hook(self, f):
        """`f(params)` runs on the list of parameters with grads before each update."""
        if isinstance(f, type) or not callable(f):
            # A class is callable too: update() then built WeightDecay(rate=params)
            # and applied no decay, silently.
            if isinstance(f, type):
                what, example = f"the class {f.__name__}", _HOOK_EXAMPLES.get(
                    f.__name__, f"{f.__name__}(...)")
            else:
                what, example = f"{type(f).__name__} {f!r:.40}", _HOOK_EXAMPLES["WeightDecay"]
            raise TypeError(
                f"{type(self).__name__}.add_hook needs a hook instance (called with the "
                f"parameters at each update), got {what}; pass an instance, e.g. "
                f"optimizer.add_hook({example})"
            )
        self.hooks.append(f)


class SGD(Optimizer):
    """param -= lr * grad."""

    def __init__(self, lr=0.01):
        super().__init__()
        _check_rates(self, lr=lr)
        self.lr = lr

    def update_one(self, param):
        param.data -= self.lr * param.grad.data


class MomentumSGD(Optimizer):
    """v = momentum * v - lr * grad; param += v."""

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__()
        _check_rates(self, lr=lr, momentum=momentum)
        self.lr = lr
        self.momentum = momentum
        self.vs = {}

    def update_one(self, param):
        key = id(param)
        if key not in self.vs:
            self.vs[key] = cuda.get_array_module(param.data).zeros_like(param.data)
        v = self.vs[key]
        v *= self.momentum
        v -= self.lr * param.grad.data
        param.data += v


class AdaGrad(Optimizer):
    """h += grad**2; param -= lr * grad / (sqrt(h) + eps)."""

    def __init__(self, lr=0.001, eps=1e-8):
        super().__init__()
        _check_rates(self, lr=lr, eps=eps)
        self.lr = lr
        self.eps = eps
        self.hs = {}

    def update_one(self, param):
        xp = cuda.get_array_module(param.data)
        key = id(param)
        if key not in self.hs:
            self.hs[key] = xp.zeros_like(param.data)
        h = self.hs[key]
        grad = param.grad.data
        h += grad * grad
        param.data -= self.lr * grad / (xp.sqrt(h) + self.eps)


class AdaDelta(Optimizer):
    """Zeiler's AdaDelta: no learning rate, running averages of grad**2 and step**2."""

    def __init__(self, rho=0.95, eps=1e-6):
        super().__init__()
        _check_rates(self, rho=rho, eps=eps)
        self.rho = rho
        self.eps = eps
        self.msg = {}
        self.msdx = {}

    def update_one(self, param):
        xp = cuda.get_array_module(param.data)
        key = id(param)
        if key not in self.msg:
            self.msg[key] = xp.zeros_like(param.data)
            self.msdx[key] = xp.zeros_like(param.data)
        msg, msdx = self.msg[key], self.msdx[key]
        rho, eps = self.rho, self.eps
        grad = param.grad.data
        msg *= rho
        msg += (1 - rho) * grad * grad
        dx = xp.sqrt((msdx + eps) / (msg + eps)) * grad
        msdx *= rho
        msdx += (1 - rho) * dx * dx
        param.data -= dx


class Adam(Optimizer):
    """Adam with the bias correction folded into the step size (the `lr` property).

    As in the book (and Chainer), p -= lr * m / (sqrt(v) + eps) with the uncorrected v: eps
    acts as torch.optim.Adam's eps / sqrt(1 - beta2 ** t) would, more strongly in early steps.
    """

    def __init__(self, alpha=0.001, beta1=0.9, beta2=0.999, eps=1e-8, *, lr=None):
        super().__init__()
        if lr is not None:  # only to say what to write: Adam.lr is the computed step size
            raise TypeError(
                f"Adam's learning rate is called alpha: write Adam(alpha={lr!r}). (Adam.lr is "
                "the bias-corrected step size it computes from alpha at each update.)"
            )
        _check_rates(self, alpha=alpha, beta1=beta1, beta2=beta2, eps=eps)
        self.t = 0
        self.alpha = alpha
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.ms = {}
        self.vs = {}

    def update(self):
        self.t += 1
        super().update()

    @property
    def lr(self):
        """alpha * sqrt(1 - beta2**t) / (1 - beta1**t) for the current step t (t >= 1)."""
        if self.t == 0:
            raise RuntimeError("Adam.lr is defined from the first update() on (t >= 1)")
        fix1 = 1.0 - math.pow(self.beta1, self.t)
        fix2 = 1.0 - math.pow(self.beta2, self.t)
        return self.alpha * math.sqrt(fix2) / fix1

    def update_one(self, param):
        xp = cuda.get_array_module(param.data)
        key = id(param)
        if key not in self.ms:
            self.ms[key] = xp.zeros_like(param.data)
            self.vs[key] = xp.zeros_like(param.data)
        m, v = self.ms[key], self.vs[key]
        grad = param.grad.data
        m += (1 - self.beta1) * (grad - m)
        v += (1 - self.beta2) * (grad * grad - v)
        param.data -= self.lr * m / (xp.sqrt(v) + self.eps)


# ----------------------------------------------------------------- hooks
class WeightDecay:
    """L2 regularisation: grad += rate * param, before the optimizer's step."""

    def __init__(self, rate):
        _check_rates(self, f"WeightDecay({_DEFAULT_RATES['rate']})", rate=rate)
        self.rate = rate

    def __call__(self, params):
        for param in params:
            # A new grad Variable, never `+=`: the grad array may be shared.
            param.grad = Variable(as_array(param.grad.data + self.rate * param.data))


class ClipGrad:
    """Scale all grads together so that their global L2 norm is at most `max_norm`."""

    def __init__(self, max_norm):
        _check_rates(self, f"ClipGrad({_DEFAULT_RATES['max_norm']})", max_norm=max_norm)
        self.max_norm = max_norm

    def __call__(self, params):
        total_norm = 0.0
        for param in params:
            total_norm += float((param.grad.data ** 2).sum())
        total_norm = math.sqrt(total_norm)
        rate = self.max_norm / (total_norm + 1e-6)
        if rate < 1:
            for param in params:
                param.grad = Variable(as_array(param.grad.data * rate))


class FreezeParam:
    """Keep the given layers' (or Parameters') values fixed: their grads are dropped."""

    def __init__(self, *layers):
        self.freeze_params = []
        for layer in layers:
            if isinstance(layer, Parameter):
                self.freeze_params.append(layer)
            elif callable(getattr(layer, "params", None)):
                self.freeze_params.extend(layer.params())
            else:
                raise TypeError(
                    f"FreezeParam takes Layers or Parameters, got {type(layer).__name__}"
                )

    def __call__(self, params):
        for param in self.freeze_params:
            param.grad = None
