"""`dezero.utils`: the book's import path, re-exporting the helpers from where they live."""
from importlib import import_module

import numpy as np
import pytest

from dezero import Variable

# Modules by import_module: `dezero.functions.im2col` as an attribute is the function F.im2col.
dot, shapes, gradcheck = (import_module(f"dezero.{m}") for m in ("dot", "shapes", "gradcheck"))
activation, im2col = (import_module(f"dezero.functions.{m}") for m in ("activation", "im2col"))

# book name -> the object this package keeps it as
ORIGINALS = {
    "get_dot_graph": dot.get_dot_graph,
    "plot_dot_graph": dot.plot_dot_graph,
    "_dot_var": dot._dot_var,
    "_dot_func": dot._dot_func,
    "sum_to": shapes.sum_to_array,
    "reshape_sum_backward": shapes.reshape_sum_backward,
    "logsumexp": activation.logsumexp,
    "pair": im2col.pair,
    "get_conv_outsize": im2col.get_conv_outsize,
    "get_deconv_outsize": im2col.get_deconv_outsize,
    "gradient_check": gradcheck.gradient_check,
    "numerical_grad": gradcheck.numerical_grad,
}


@pytest.mark.parametrize("name", sorted(ORIGINALS))
def test_each_book_name_is_the_original_object(name):
    import dezero.utils

    assert getattr(dezero.utils, name) is ORIGINALS[name]


def test_the_books_imports_work():
    # Steps 26, 55 and 57 and the book's tests, as printed.
    from dezero.utils import get_conv_outsize, pair, plot_dot_graph  # noqa: F401
    from dezero.utils import gradient_check

    assert get_conv_outsize(4, 3, 1, 1) == 4 and get_conv_outsize(7, 3, 2, 0) == 3
    assert pair(2) == (2, 2)
    assert gradient_check(lambda x: x * x, Variable(np.array([1.0, 2.0])))


def test_array_helpers_work_on_arrays_as_in_the_book():
    from dezero.utils import logsumexp, reshape_sum_backward, sum_to

    assert sum_to(np.ones((2, 3)), (1, 3)).tolist() == [[2.0, 2.0, 2.0]]
    assert reshape_sum_backward(np.ones(3), (2, 3), 0, False).shape == (1, 3)
    x = np.array([[1000.0, 1000.0]])
    assert np.allclose(logsumexp(x), 1000.0 + np.log(2.0))   # no overflow


def test_the_downloader_says_what_to_do_instead():
    from dezero.utils import get_file

    with pytest.raises(NotImplementedError, match="Download the file yourself.*path"):
        get_file("https://example.org/zebra.jpg")


def test_book_names_without_a_counterpart_are_not_imitated():
    import dezero.utils

    for name in ("max_backward_shape", "array_equal", "array_allclose", "cache_dir", "show_progress"):
        assert not hasattr(dezero.utils, name), name


def test_the_module_holds_no_code_of_its_own():
    # Everything public it defines is imported, but the get_file stub.
    import dezero.utils

    own = [name for name, value in vars(dezero.utils).items()
           if callable(value) and getattr(value, "__module__", None) == "dezero.utils"]
    assert own == ["get_file"]


def test_the_book_reaches_utils_through_the_package():
    # step 58 writes dezero.utils.get_file(url) after a bare `import dezero`
    import dezero

    assert dezero.utils.get_conv_outsize(4, 3, 1, 1) == 4


def test_the_books_step_26_call_of_dot_var():
    # the book calls _dot_var(x) and _dot_var(x, verbose=True)
    import numpy as np

    from dezero import Variable
    from dezero.utils import _dot_var

    x = Variable(np.random.randn(2, 3), name="x")
    assert 'label="x"' in _dot_var(x) and "(2, 3) float64" in _dot_var(x, verbose=True)


def test_the_books_other_names_and_import_paths():
    # QA ran the book's dezero 0.0.13 beside this one: names its steps and code use.
    import dezero
    import dezero.functions as F
    import dezero.functions_conv as FC
    from dezero import Dataset, SeqDataLoader  # noqa: F401  (step 60)

    assert SeqDataLoader is dezero.dataloaders.SeqDataLoader and Dataset is dezero.datasets.Dataset
    assert FC.conv2d is F.conv2d and FC.pooling is F.pooling and FC.im2col is F.im2col
    assert F.batch_nrom is F.batch_norm                      # the book's spelling
    x = Variable(np.arange(6.0).reshape(2, 3))
    W = Variable(np.ones((3, 2)))
    for product in (x.dot(W), x.matmaul(W), x.matmul(W)):    # matmaul: as the book spells it
        assert np.array_equal(product.data, x.data @ W.data)
    t = Variable(np.ones((2, 3)))
    simple, fused = F.mean_squared_error_simple(x, t), F.mean_squared_error(x, t)
    assert simple.data == pytest.approx(fused.data) and simple.creator.__class__.__name__ == "Div"
    simple.backward()
    assert np.allclose(x.grad.data, 2 * (x.data - 1) / 2)    # d/dx sum((x-t)^2)/len, len = 2 rows


def test_a_variable_in_data_is_told_where_it_came_from():
    # Steps 28-29 typed on the full core: x.grad is a Variable, so x.data became one.
    import dezero.functions as F

    x = Variable(np.array(2.0))
    (x ** 2).backward()
    with pytest.raises(TypeError, match=r"x\.data -= lr \* x\.grad\.data"):
        x.data -= 0.1 * x.grad          # refused on its own line
    x.data = x.data - 0.1 * x.grad      # (out of place: told at the next operation)
    with pytest.raises(TypeError, match=r"x\.data -= lr \* x\.grad\.data"):
        F.sin(x)
    # Variable(Variable(...)) is a different slip: it gets its own advice (item 9 of the QA report).
    with pytest.raises(TypeError, match=r"already a Variable; use it directly"):
        Variable(Variable(np.array(1.0)))
