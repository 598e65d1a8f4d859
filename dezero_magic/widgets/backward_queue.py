"""The Backward tab's queue panel: the functions waiting to be popped after a
step, the step panel's lines, and the height the step and queue panels keep
while playing (nothing below them jumps)."""
from dezero_magic.render.escape import esc
from dezero_magic.render.text import count_of
from dezero_magic.widgets import style
from dezero_magic.widgets.node_names import func_name

QUEUE_SHOWN = 12
BY_LINKS = ("Your classes have no generation yet (book step 16 adds it): the generations shown are "
            "counted along the graph's links.")


def _generation(f):
    if f.own_generation is None:
        return f"generation {f.generation}"
    # a student's object: its own number is what their backward sorted by
    return f"generation {f.own_generation} in your code (by the links: {f.generation})"


def queue_html(graph, queue, total, *, book=False, lines=0):
    return panel(_queue_block(graph, queue, total, book), lines)


def panel(html, lines=0):
    # Set apart from the step panel and the graph above it: run together they read as one.
    return f'<div class="dz-queue-panel" style="margin-top:6px;padding-left:16px;border-left:2px solid #bbbbbb">' \
           f"{reserve(html, lines)}</div>"


def _queue_block(graph, queue, total, book):
    if not total:
        return style.block(esc("empty: this was the last step"), title="Queue")
    shown = [f for f in queue if f in graph.functions][:QUEUE_SHOWN]
    items = "".join(f"<li>{esc(func_name(graph, f))} — {esc(_generation(graph.functions[f]))}</li>"
                    for f in shown)
    left = _not_listed(total, len(shown))
    tail = f"<div>{esc(left)}</div>" if left else ""
    title = ("The list funcs, next pop first (this algorithm ignores generations)" if book
             else "Queue, in the order it will be popped")
    if graph.generations_by_links:
        tail += f"<div>{esc(BY_LINKS)}</div>"
    listed = f'<ol class="dz-queue" style="margin:0 0 0 1.4em;padding:0">{items}</ol>' if items else ""
    return style.block(listed + tail, title=title)


def _not_listed(total, listed):
    """What the queue's list leaves out, in words. It names drawn functions only, and the
    recording keeps the first QUEUE_SHOWN to pop (the tracer's pending_limit; students' code:
    all): a shorter list lacks some not drawn (a 20,000-op cell drawn near its output)."""
    rest = total - listed
    if rest <= 0:
        return ""
    if listed >= min(total, QUEUE_SHOWN):     # a full list: the rest wait further down
        return f"… and {rest:,} more"
    why = "not drawn (beyond what the graph shows)" + ("" if total <= QUEUE_SHOWN else ", or further down the queue")
    return f"… and {rest:,} more, {why}" if listed else f"{count_of(rest, 'function')} queued, {why}"


LINE_PX = style.FONT_PX * 1.45   # style.block's line height


def reserved_lines(steps, book=False):
    """(step panel, queue panel): the most lines each takes over `steps` (the
    queue at most a full list's): each keeps that height while playing, so
    nothing below it jumps. A grad is one line (`one_line`), two where an
    array was added to one before (the sum's own line)."""
    info_most, queue_most = 2, 2
    for s in steps:
        # book: a grads-in line or the replay's status line, and the warning of a repeat
        grads = len(s.gxs) + sum(is_array(s.gxs[v]) for v in set(s.gxs) & set(s.accumulated))
        info_most = max(info_most, 1 + grads + (1 + s.repeat if book else bool(s.gys)))
        queue_most = max(queue_most, 2 + min(s.queue_total if book else s.pending_total, QUEUE_SHOWN))
    return info_most, min(queue_most, 2 + QUEUE_SHOWN)


def reserve(html, lines):
    return f'<div style="min-height:{round(lines * LINE_PX + 4)}px">{html}</div>' if lines else html


# One line each, cut with an ellipsis where the box is narrower, the whole in its tooltip: a
# grad's array preview ("(2, 3) [0.1257 -0.1321 ...]") wrapped to 1-3 lines by its numbers, and
# the graph under the step's text jumped 22 px (70 at 150 % zoom) from step to step (QA).
# (Their classes, dz-step-line and dz-figure-note, keep their length from widening the
# widget: style.ONE_LINE_CLASSES.)
_ONE_LINE = "white-space:nowrap;overflow:hidden;text-overflow:ellipsis"


def is_array(grad):
    """Whether a grad's text is an array's preview ("(2, 3) [0.1257 ...]"), not a number."""
    return grad.startswith(("(", "["))


def one_line(text, then=None, *, badge=None, array=False):
    """A step panel's grad line (escaped here), then `then` (its sum): on a
    line of its own for an `array` (the first cut hid it), else on the same
    one, kept to one line each (`_ONE_LINE`); `badge` ("+=") before it."""
    mark = style.badge(badge) + " " if badge else ""
    rest = (f"<br>{esc(then)}" if array else " " + esc(then)) if then else ""
    whole = text + (" " + then if then else "")
    return f'<div class="dz-step-line" style="{_ONE_LINE}" title="{esc(whole)}">{mark}{esc(text)}{rest}</div>'


def prose(text, badge=None):
    """A step panel's line that explains (a student's backward's doing): it wraps, read whole."""
    mark = style.badge(badge) + " " if badge else ""
    return f"<div>{mark}{esc(text)}</div>"
