"""A small notebook executed headless with nbclient (a real kernel)."""
import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def _mimes(cell):
    found = set()
    for out in cell.outputs:
        found.update(out.get("data", {}))
        found.add(out["output_type"])
    return found


@pytest.mark.slow
def test_notebook_outputs_svg_and_an_erroring_cell_fails():
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext dezero_magic\nimport numpy as np\n"
                                  "import dezero.functions as F\nfrom dezero import Variable"),
        nbformat.v4.new_code_cell("%%dezero -b y\nx = Variable(np.array(2.0))\ny = F.exp(F.square(x))\n"
                                  "print('printed')\ny.data"),
        nbformat.v4.new_code_cell("%%dezero\nz = F.sin(x)\nundefined_name"),
        nbformat.v4.new_code_cell("never = 'run'"),
    ]
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=60)
    with pytest.raises(CellExecutionError) as info:
        client.execute()
    assert "NameError" in str(info.value)
    good = nb.cells[1]
    assert {"stream", "execute_result", "image/svg+xml", "text/html"} <= _mimes(good)
    svg = next(o["data"]["image/svg+xml"] for o in good.outputs if "image/svg+xml" in o.get("data", {}))
    assert "dz-var" in svg and "Exp" in svg
    bad = nb.cells[2]
    assert "error" in _mimes(bad)
    error = next(o for o in bad.outputs if o["output_type"] == "error")
    assert "line 3" in "".join(error["traceback"])   # the cell's own line numbers
    html = next(o["data"]["text/html"] for o in bad.outputs if "text/html" in o.get("data", {}))
    assert "INCOMPLETE" in html and "Sin" in html
    assert nb.cells[3].outputs == [] and nb.cells[3].get("execution_count") is None
