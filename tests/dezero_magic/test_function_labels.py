"""A Function that a name refers to (`A = Square()`, as the book's step 15
writes it) is drawn and listed by that name: the order reads D C A B A."""
import xml.etree.ElementTree as ET

from dezero_magic.layout import CHAR_PX
from student_code import STEP14

NS = {"s": "http://www.w3.org/2000/svg"}
STEP15 = """A, B, C, D = Square(), Square(), Square(), Add()
x = Variable(np.array(2.0))
a = A(x)
b = B(a)
c = C(a)
y = D(b, c)
y.backward()
"""


def boxes(trace):
    root = ET.fromstring(trace.svg())
    out = {}
    for g in root.findall(".//s:g[@data-node-id]", NS):
        if "dz-func" in g.get("class"):
            rect = g.find("s:rect", NS)
            out[g.find("s:text", NS).text] = float(rect.get("width"))
    return out


def test_the_students_step_15_functions_are_named_as_in_the_book(shell):
    shell.run_cell(STEP14 + "\nACCUMULATE = True\n")
    assert shell.run_cell("%%dezero -o _t --static\n" + STEP15).success
    trace = shell.user_ns["_t"]
    assert "backward order: D C A B A" in trace.text()
    assert "[gen 0] A: Square(x) -> a" in trace.text()
    drawn = boxes(trace)
    assert set(drawn) == {"A: Square", "B: Square", "C: Square", "D: Add"}
    assert all(width >= len(text) * CHAR_PX for text, width in drawn.items())  # the box holds its name
    assert any("The A: Square that made a" in n for n in trace.graph.notes)


def test_dezero_functions_held_by_a_name_are_labelled_and_others_are_not(shell):
    from dezero_magic.widgets.node_names import func_name

    assert shell.run_cell("%%dezero -o _t --static\nfrom dezero.functions import Sin\nS = Sin()\n"
                          "x = Variable(np.array(1.0), name='x')\ny = F.exp(S(x))\ny.backward()").success
    trace = shell.user_ns["_t"]
    assert set(boxes(trace)) == {"S: Sin", "Exp"}
    sin = next(f for f in trace.graph.functions.values() if f.op == "Sin")
    assert func_name(trace.graph, sin.id).startswith("S: Sin")
    assert "S: Sin" in trace.dot()
