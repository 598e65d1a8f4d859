"""Kinks: entries where a central difference is no valid reference for a
leaf grad (relu at 0, a max-pooling tie, a unit that crosses 0 within the
step), so the Gradients check reports them as "not differentiable here"
instead of calling a correct backward wrong; entries whose nudge by h is lost
in the rounding of a big summed output (not the function's doing, and not told
as a kink); and the words for every entry left out (kinks, rounding, NaN/Inf in
f near the point or in the input). Used by `numgrad`.

`shifted(i, h)` gives (f with entry i raised by h, f with it lowered by h);
`sides[i]` is that pair at the check's step `eps`; `f0` is f at the point.
"""
import numpy as np


def find_kinks(shifted, suspects, analytic, sides, f0, eps):
    """{flat index: (left slope, right slope)} of the suspects (entries whose
    central difference c misses backprop's a by D = |c - a|) where c is no
    valid reference: f has a kink at the point (relu at 0, a max-pooling tie)
    or within h of it (units of a conv layer that cross 0 when it moves).

    Steps h/10 and h/100 decide (2 passes each, the second only while the
    first looks smooth). At a smooth point c moves by about h^2 |f'''| / 6
    and the one-sided slopes' gap, about h |f''|, shrinks tenfold a step; so
    the miss is real, and stays a FAIL, only while c stays within D/4 of
    itself and each gap is under D/4 or a fifth of the last. A kink at the
    point keeps the gap (relu at 0: slopes 0 and 1 at any step); one within
    h moves c or leaves a gap that shrinks too slowly; a NaN or Inf (f leaves
    its domain) is no reference either. Rounding errs towards "not checked"."""
    found = {}
    with np.errstate(all="ignore"):
        for i, a in zip(suspects, analytic):
            fp, fm = sides[i]
            right, left = (fp - f0) / eps, (f0 - fm) / eps
            central, gap = (right + left) / 2, abs(right - left)
            miss = abs(central - a) if np.isfinite(a) else np.inf   # a NaN grad at a smooth point FAILs
            for step in (eps / 10, eps / 100):
                fp, fm = shifted(i, step)
                right2, left2 = (fp - f0) / step, (f0 - fm) / step
                gap2 = abs(right2 - left2)
                smooth = (abs((right2 + left2) / 2 - central) <= miss / 4
                          and (gap2 <= miss / 4 or gap2 <= gap / 5))
                if not smooth:   # also when a NaN made a comparison False
                    found[int(i)] = (left, right)
                    break
                gap = gap2
    return found


# The rounding error of one evaluation of sum(output), in eps of sum(|output|): x ** 8 on 10^6 and
# 3*10^6 entries (sums of 1e8 and 3e8) missed by at most 0.4 eps * sum / h (measured); 4 for margin.
# A kink misses by its slopes' gap (relu: 0.5 of its upstream grad), far above that on any sane output.
SUM_ROUNDINGS = 4


def sum_rounding(out):
    """(the rounding error of sum(out), about: SUM_ROUNDINGS eps of its dtype times sum(|out|);
    sum(|out|), the size the words give). A central difference errs by that error / h."""
    out = np.asarray(out)
    eps = float(np.finfo(out.dtype if out.dtype.kind == "f" else np.float64).eps)
    with np.errstate(all="ignore"):
        size = float(np.sum(np.abs(out), dtype=np.float64)) if out.dtype.kind in "fiub" else 0.0
    if not np.isfinite(size):
        return 0.0, size
    return SUM_ROUNDINGS * eps * size, size


def lost_to_rounding(suspects, analytic, numerical, rounding, h):
    """The suspects (flat indices) whose miss |numerical - analytic| the
    rounding of sum(output) alone can make: a nudge of h changes the sum by
    about |grad| * h, and when that is below the sum's rounding error (a
    10^6-entry x ** 8 sums to 1e8, whose rounding is 1e-8) the central
    difference reads noise or 0 there: no reference, and no kink either (the
    kink test reads the noise as slopes that differ). Tested before the
    kinks; NaN never counts (a NaN grad, or f NaN/Inf near the point)."""
    limit = rounding / h
    with np.errstate(all="ignore"):
        miss = np.abs(np.asarray(numerical, dtype=np.float64) - np.asarray(analytic, dtype=np.float64))
    return {int(i) for i, m in zip(suspects, miss) if np.isfinite(m) and limit > 0 and m <= limit}


def split_kinks(found):
    """(the kinks proper: both one-sided slopes finite; how many entries are
    no reference because f is NaN/Inf at x+h or x-h: f leaves its domain
    there, which is not a kink and is not told as one)."""
    real = {i: s for i, s in found.items() if np.isfinite(s[0]) and np.isfinite(s[1])}
    return real, len(found) - len(real)


def _entries(n):
    return f"{n} {'entry' if n == 1 else 'entries'}"


def _size(v):
    """A magnitude as the words give it: 1e8, 3e-5."""
    mantissa, exponent = f"{v:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _rounding(n, size):
    them = "it" if n == 1 else "them"
    return (f"{_entries(n)} not checked: a nudge of h changed sum(output) (its |entries| add up to "
            f"~{_size(size)}) by less than the sum's rounding error, so the numerical grad there is rounding "
            f"noise, not a slope (a smaller output, e.g. fewer entries, would let {them} be checked)")


def left_out(kinks, edges, bad, rounded=0, size=0.0):
    """Why some entries were not checked ("" when none were left out).
    `rounded`: entries lost to the rounding of sum(output), whose |entries| add up to `size`."""
    parts = [_rounding(rounded, size)] if rounded else []
    if kinks:
        parts.append(f"{_entries(kinks)} not checked: not differentiable there (the slopes from left and "
                     "right differ within h)")
    if edges:
        parts.append(f"{_entries(edges)} not checked: f is NaN/Inf within h of {'it' if edges == 1 else 'them'}, "
                     "so no central difference exists there")
    if bad:
        parts.append(f"{_entries(bad)} not checked: {'it is' if bad == 1 else 'they are'} NaN/Inf")
    return "; ".join(parts)


def all_left_out(kinks, edges, bad, size, rounded=0, out_size=0.0):
    """Why none of the sampled entries was checked. kinks: {index: (left, right) slope};
    `rounded`, `out_size`: as left_out's `rounded`, `size`."""
    if rounded and not kinks and not edges and not bad and size == 1:
        return (f"a nudge of h changed sum(output) (its |entries| add up to ~{_size(out_size)}) by less than "
                "the sum's rounding error, so the numerical grad is rounding noise, not a slope (a smaller "
                "output would let it be checked)")
    if rounded:
        return left_out(len(kinks), edges, bad, rounded, out_size)
    if kinks and not edges and not bad:
        if size == 1:
            left, right = next(iter(kinks.values()))
            return f"the slope from the left is {left:.4g}, from the right {right:.4g}"
        where = "the sampled entry sits" if len(kinks) == 1 else f"all {len(kinks)} sampled entries sit"
        return f"{where} at or within h of a kink (the slopes from left and right differ)"
    if edges and not kinks and not bad:
        if size == 1:
            return "f is NaN/Inf within h of this point (it leaves its domain), so no numerical gradient is possible"
        where = "the sampled entry" if edges == 1 else f"all {edges} sampled entries"
        return f"f is NaN/Inf within h of {where} (it leaves its domain), so no numerical gradient is possible"
    return left_out(len(kinks), edges, bad)
