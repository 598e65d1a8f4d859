"""What the Gradients table says of leaves holding integer (or bool) data,
which the numerical check cannot nudge by h: class labels (no gradient at
all), the constants a formula's numbers became (one line for all of them),
and a leaf the user made with int data (make it float to check it)."""
import re

import numpy as np

# Inputs holding integer targets, by class name (dezero's, the book's); embed_id's ids and get_item's
LABEL_INPUTS = {"SoftmaxCrossEntropy": 1}   # index arrays are attributes of theirs, never graph inputs


def _call_name(op):
    """How a student calls the function: softmax_cross_entropy for SoftmaxCrossEntropy."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", op).lower()


SHOWN = 6   # constants' values the grouped line lists


def labels_result(leaf, graph):
    """The result of an int leaf used only as class labels, '' otherwise (not "make the data float", QA N22-3)."""
    if graph is None or np.asarray(leaf.value).dtype.kind not in "iub":
        return ""
    uses = [(f.op, i) for f in graph.functions.values() for i, v in enumerate(f.inputs) if v == leaf.var_id]
    if not uses or any(LABEL_INPUTS.get(op) != i for op, i in uses):
        return ""
    return (f"not checked: class labels (the t of {_call_name(uses[0][0])}), indices that pick the "
            "entries the loss uses: labels get no gradient, so there is none to check")


def float_hint(leaf):
    """What to do about integer (or bool) data, which the check cannot nudge (book steps 11-12 and 37-40 use ints)."""
    if np.asarray(leaf.value).dtype.kind not in "iub":
        return ""
    value = np.asarray(leaf.value)
    # the leaf's own numbers where they are few, so the advice reads straight onto the cell (QA Q24-F7)
    if value.ndim <= 1 and value.size <= 4:
        ints = value.tolist()
        floats = float(ints) if value.ndim == 0 else [float(v) for v in ints]
        return f": make the data float, e.g. np.array({floats!r}) instead of np.array({ints!r}), to check it"
    return ": make the data float, e.g. np.array([1.0, 2.0]) instead of np.array([1, 2]), to check it"


def is_literal_constant(leaf, graph=None):
    """An unchecked, unnamed, integer scalar leaf: a number of the formula that the
    user's as_array made an int Variable (14 in 14 * x, QA S22-4), not a variable
    they made and named (that one keeps `float_hint`'s advice)."""
    value = np.asarray(leaf.value)
    return (leaf.passed is None and not leaf.differs and leaf.label == leaf.var_id
            and value.ndim == 0 and value.dtype.kind in "iu" and not labels_result(leaf, graph))


def _order(vid):
    return int(vid[1:]) if vid[1:].isdigit() else float("inf")


def constants_row(constants):
    """The one table row (variable, value, analytic, numerical, relative error, result) for them all."""
    values = [str(np.asarray(c.value).item()) for c in sorted(constants, key=lambda c: _order(c.var_id))]
    shown = ", ".join(values[:SHOWN]) + (", …" if len(values) > SHOWN else "")
    n = len(constants)
    label = f"{n} constant{'s' if n != 1 else ''} (unnamed)"
    return (label, shown, "-", "-", "-",
            "not checked: integer constants made from the numbers in your formula (as 14 in 14 * x); int data "
            "cannot be nudged by h, and they are not the variables you differentiate by")


def skipped_text(skipped, constants):
    """' N not checked (see the result column).', counting the grouped constants as such."""
    if not skipped:
        return ""
    others = skipped - constants
    said = []
    if others:
        said.append(f"{others} not checked")
    if constants:
        said.append(f"{constants} integer constant{'s' if constants != 1 else ''} not checked")
    return f" {', '.join(said)} (see the result column)."
