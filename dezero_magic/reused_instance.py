"""One Function object called more than once (`ops = {'sq': Square()};
add(ops['sq'](x), ops['sq'](h))`): it keeps only its last call's input and
output, so the student's backward pops it once per call but passes every grad
to that last call's input (h.grad 4 where 2 is right) and never reaches the
earlier call's (x gets none). The graph, built from the same objects, has one
node for it. What the views then say in place of their usual verdicts (QA S22-2):
the Gradients tab's cause, the book replay's caveat, the stepper's line."""
from dataclasses import dataclass
from typing import List


@dataclass(frozen=True)
class Reused:
    op: str     # the class of the object called more than once ("Square")
    made: str   # what its earlier calls made, as the note lists them ("v2")


def reused(graph) -> List[Reused]:
    """The objects `student_notes.note_reused` found called more than once ([] when none)."""
    return [Reused(op, made) for op, made in getattr(graph, "reused", ())]


def _earlier(found):
    """What the earlier calls made, with the verb in number ("v2 came from an earlier call", "v2, v3 came from
    earlier calls")."""
    made = ", ".join(r.made for r in found)
    many = len(found) > 1 or "," in made or " and " in made
    return f"{made} came from {'earlier calls' if many else 'an earlier call'}"


def _objects(found):
    return " and ".join(f"one {r.op} object" for r in found)


def gradients_cause(found):
    """The Gradients tab's verdict when every backward is right alone (in place of "overwritten / too early")."""
    op = found[0].op
    return (f"Each backward is right on its own, so the FAIL comes from {_objects(found)} called more than "
            f"once: it keeps only its last call's input and output, so your backward sent the grad of every "
            f"call to that last call's input, and the earlier call's input got none "
            f"({_earlier(found)}). Make a new one per call: "
            f"{op}()(x), or a function like square(x) (book step 9).")


def gradients_why(found):
    """Why a leaf grad FAILs, said under the table (no backward was found wrong)."""
    return (f"{_objects(found)} was called more than once and keeps only its last call, so its grads went to "
            "that call's input alone (the graph's note says more)")


def replay_caveat(graph, found, pops):
    """The book comparison's warning: the replay runs on the graph, which has one node for the reused object."""
    steps = max(graph.pass_steps, len(graph.steps))
    ran = (f" Your backward popped {steps} function{'s' if steps != 1 else ''}; the replay pops {pops}."
           if steps and steps != pops else "")
    return (f"This replay is not what your code ran: {_objects(found)} was called more than once, and the "
            "graph, like the object, keeps only its last call, so one node stands for more than one call "
            f"({_earlier(found)}).{ran} The orders and grads "
            "below are of the graph as drawn, not judged against your run: make a new Function per call "
            "to compare.")


def popped_again(op, var, total):
    """The stepper's line for a grad that reaches `var` again because the reused `op` was popped again
    (in place of "they must be added (book step 14)", which presents that grad as one to add)."""
    return (f"{op} was popped again: one {op} object stands for more than one call but keeps only its "
            f"last call's input, so this grad, meant for an earlier call's input, goes to {var} a second "
            f"time (now {total}; the earlier call's input gets none)")


def is_reused(graph, fid):
    """Whether the function node `fid` is of a class the graph's notes say had an object called more than once."""
    f = graph.functions.get(fid)
    return f is not None and any(r.op == f.op for r in reused(graph))
