"""dezero.dot with a lone surrogate in a name (QA finding F10): the DOT text
must be encodable (to be fed to Graphviz's `dot`) and the SVG valid XML."""
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable, dot

BAD = "bad\ud800name"


def _graph():
    x = Variable(np.array(2.0), name=BAD)
    y = F.exp(x)
    y.name = "low\udfffend"
    return y


def test_dot_label_replaces_lone_surrogates():
    assert dot.dot_label(BAD) == '"bad\ufffdname"'
    assert dot.dot_label("\udc80 <x>") == '"\ufffd &lt;x&gt;"'


@pytest.mark.parametrize("verbose", [False, True])
def test_get_dot_graph_with_a_surrogate_name_encodes_to_utf8(verbose):
    text = dot.get_dot_graph(_graph(), verbose=verbose)
    text.encode("utf-8")
    assert "bad\ufffdname" in text and "low\ufffdend" in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_draws_a_graph_with_a_surrogate_name(tmp_path):
    target = tmp_path / "g.svg"
    dot.plot_dot_graph(_graph(), verbose=False, to_file=str(target))
    root = ET.fromstring(target.read_text(encoding="utf-8"))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "bad\ufffdname" in texts and "low\ufffdend" in texts


def test_the_fallback_svg_with_a_surrogate_name_is_valid(monkeypatch, tmp_path):
    monkeypatch.setattr(dot.shutil, "which", lambda name: None)
    with pytest.warns(RuntimeWarning):
        written = dot.plot_dot_graph(_graph(), verbose=True, to_file=str(tmp_path / "g.png"))
    ET.fromstring(open(written, encoding="utf-8").read())
