"""`dezero.utils`, kept for the book's import path only.

The book's code imports helpers from `dezero.utils` (step 26's
`plot_dot_graph`, steps 55/57's `get_conv_outsize` and `pair`, the tests'
`gradient_check`). This package keeps each of them in the module named for
what it holds; this module holds no code of its own (but the `get_file`
stub below): it re-exports the same objects under the book's names, so
`from dezero.utils import pair` works and `dezero.utils.pair is
dezero.functions.im2col.pair`. New code should import from where the
helpers live (listed below).

Where each of the book's names lives here:

* `get_dot_graph`, `plot_dot_graph`, `_dot_var`, `_dot_func`: `dezero.dot`
  (`get_dot_graph` writes each variable once, the book's once per use: the
  same drawing);
* `sum_to` (on arrays, not Variables): `dezero.shapes.sum_to_array`;
  `reshape_sum_backward`: `dezero.shapes`;
* `logsumexp` (on arrays): `dezero.functions.activation`;
* `pair`, `get_conv_outsize`, `get_deconv_outsize`: `dezero.functions.im2col`;
* `gradient_check`, `numerical_grad`: `dezero.gradcheck`. Unlike the book's,
  they differentiate every positional input (the book's only the first, the
  rest passed through), and `numerical_grad` returns a list with one array
  per input.

The book's names that have no counterpart here are not imitated:
`max_backward_shape` (`F.max`'s backward reshapes the grad with
`reshape_sum_backward`), `array_equal` / `array_allclose` (use NumPy's on
`.data`), `cache_dir` and `show_progress` are not defined. The book's
downloader `get_file` (step 58 calls it on an image URL) is defined only to
raise an error that says what to do instead: this package downloads nothing
but MNIST (`dezero.mnist`), and a student's cell should fail with that
advice, not with a bare ImportError.
"""
from dezero.dot import _dot_func, _dot_var, get_dot_graph, plot_dot_graph  # noqa: F401
from dezero.functions.activation import logsumexp  # noqa: F401
from dezero.functions.im2col import get_conv_outsize, get_deconv_outsize, pair  # noqa: F401
from dezero.gradcheck import gradient_check, numerical_grad  # noqa: F401
from dezero.shapes import reshape_sum_backward  # noqa: F401
from dezero.shapes import sum_to_array as sum_to  # noqa: F401


def get_file(url, file_name=None):
    """Not available: raises NotImplementedError saying what to do instead."""
    raise NotImplementedError(
        f"dezero.utils.get_file({url!r}) is not available: this dezero downloads nothing but "
        "MNIST (dezero.datasets.MNIST). Download the file yourself (a browser, or "
        "urllib.request.urlretrieve(url, filename) where you are online) and pass the saved "
        "file's path instead."
    )
