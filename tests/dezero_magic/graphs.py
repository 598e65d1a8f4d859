"""Hand-made graphs for the layout and render tests (no tracer involved), and one
traced chain (`sin_chain`) for the tests of windows on a long graph."""
from dezero_magic.graph import FuncNode, Graph, VarNode


def chain(n, grads=True):
    """x -> f0 -> v1 -> f1 -> ... -> v_n."""
    g = Graph()
    for i in range(n + 1):
        g.variables[f"v{i}"] = VarNode(id=f"v{i}", label=f"x{i}", value=str(i), generation=i,
                                       leaf=i == 0, grad=str(float(i)) if grads else None,
                                       grad_absmax=float(i) if grads else None)
    for i in range(n):
        g.functions[f"f{i}"] = FuncNode(id=f"f{i}", op="Square", generation=i, inputs=[f"v{i}"],
                                        outputs=[f"v{i + 1}"], order=i)
    return g


def diamond():
    """x -> A -> a -> B -> b, a -> C -> c, (b, c) -> D -> y."""
    g = Graph()
    for vid, gen in [("x", 0), ("a", 1), ("b", 2), ("c", 2), ("y", 3)]:
        g.variables[vid] = VarNode(id=vid, label=vid, generation=gen, leaf=vid == "x")
    for order, (fid, op, gen, ins, outs) in enumerate([
            ("A", "Square", 0, ["x"], ["a"]), ("B", "Exp", 1, ["a"], ["b"]),
            ("C", "Square", 1, ["a"], ["c"]), ("D", "Add", 2, ["b", "c"], ["y"])]):
        g.functions[fid] = FuncNode(id=fid, op=op, generation=gen, inputs=ins, outputs=outs, order=order)
    return g


def sin_chain(n, rankdir="LR"):
    """(graph, layout) of y = sin(sin(...sin(0.5))), `n` sin, traced and backward run."""
    import numpy as np

    import dezero.functions as F
    from dezero import Variable
    from dezero.events import observing
    from dezero_magic.assemble import graph_from_tracer
    from dezero_magic.layout import layout
    from dezero_magic.tracer import Tracer

    tracer = Tracer()
    with observing(tracer):
        y = Variable(np.array(0.5))
        for _ in range(n):
            y = F.sin(y)
        y.backward()
    graph, _, _ = graph_from_tracer(tracer, {"y": y})
    return graph, layout(graph, rankdir)
