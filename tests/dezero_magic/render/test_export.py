import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable
from dezero_magic.render.export import write_svg


def test_write_svg_replaces_the_suffix_and_draws_the_graph(tmp_path):
    x = Variable(np.array(1.0), name="x")
    y = F.tanh(x) * x
    path = write_svg(y, tmp_path / "sub" / "graph.png")
    assert path.endswith("graph.svg")
    root = ET.parse(path).getroot()
    ops = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "dz-op"}
    assert ops == {"Tanh", "Mul"}


def test_write_svg_rejects_non_variables(tmp_path):
    with pytest.raises(TypeError, match="needs a Variable"):
        write_svg(3.0, tmp_path / "g.png")


def test_pipeline_stages_do_not_import_ipython():
    import subprocess

    code = ("import sys, dezero_magic, dezero_magic.tracer, dezero_magic.assemble, dezero_magic.adapters, "
            "dezero_magic.layout, dezero_magic.render.export, dezero_magic.trace, dezero_magic.backward_watch\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('IPython', 'ipywidgets')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
