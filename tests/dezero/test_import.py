"""`import dezero` needs NumPy alone: no notebook or plotting stack is pulled in."""
import json
import subprocess
import sys

FORBIDDEN = ["IPython", "ipywidgets", "matplotlib", "torch", "dezero_magic"]


def test_import_dezero_pulls_in_no_notebook_modules():
    code = (
        "import json, sys\n"
        "import dezero, dezero.functions, dezero.dot, dezero.gradcheck, dezero.benchmark_functions\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in %r)))\n" % FORBIDDEN
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_the_check_would_see_a_forbidden_module():
    # The same probe after importing one of them reports it: the check above can fail.
    code = ("import json, sys, matplotlib\n"
            "print(json.dumps(['matplotlib'] if 'matplotlib' in sys.modules else []))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert json.loads(result.stdout) == ["matplotlib"]


def test_public_names():
    import dezero

    for name in ["Variable", "Function", "Parameter", "Config", "using_config", "no_grad",
                 "as_array", "as_variable", "grad", "gradient_check", "numerical_diff"]:
        assert hasattr(dezero, name), name
