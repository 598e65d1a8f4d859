"""The edges a backward step highlights, and the nodes its window must hold
(the Backward tab's stepper)."""


def step_ends(graph, fid, edges):
    """A step's function with every variable it takes grads from or sends them
    to: both ends of each highlighted edge (a window must hold them all)."""
    f = graph.functions[fid]
    return [n for edge in edges for n in edge] + list(f.inputs) + list(f.outputs)


def step_edges(graph, fid, gys=None, gxs=None):
    """(source, target) edges that carry grads at this step: function -> ...
    drawn forward, so output edges are (f, y) and input edges (x, f)."""
    f = graph.functions[fid]
    outs = [v for v in f.outputs if gys is None or v in gys]
    ins = [v for v in f.inputs if gxs is None or v in gxs]
    return [(fid, v) for v in outs] + [(v, fid) for v in ins]
