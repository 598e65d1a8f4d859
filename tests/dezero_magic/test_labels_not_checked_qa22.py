"""QA N22-3: the integer class labels t of softmax_cross_entropy (book steps 47-57, MNIST's uint8
labels) are said to be labels with no gradient to check, not told "make the data float": a student
following that advice would change their labels. An int leaf used as real data keeps the advice."""
from dezero_magic.widgets.gradients_tab import gradients_view
from widget_html import run_traced, text_of

FLOAT_ADVICE = "make the data float"
LABELS = ("not checked: class labels (the t of softmax_cross_entropy), indices that pick the entries the "
          "loss uses: labels get no gradient, so there is none to check")

STEP47 = """from dezero.models import MLP
np.random.seed(0)
model = MLP((10, 3))
x = np.array([[0.2, -0.4], [0.3, 0.5], [1.3, -3.2], [2.1, 0.3]])
t = np.array([2, 0, 1, 0]{dtype})
y = model(x)
loss = F.softmax_cross_entropy(y, t)
loss.backward()
"""

# the book's step 47 class, typed by a student: backward gives t no grad
OWN_SCE = """class SoftmaxCrossEntropy(dezero.Function):
    def forward(self, x, t):
        x = x - x.max(axis=1, keepdims=True)
        log_p = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
        return -log_p[np.arange(len(t)), t.ravel()].sum() / np.float64(len(x))
    def backward(self, gy):
        x, t = self.inputs
        p = np.exp(x.data - x.data.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(t.data)), t.data] -= 1
        return Variable(p * gy.data / len(x.data)), None
W = Variable(np.array([[0.5, -0.2, 0.1], [0.3, 0.8, -0.4]]), name='W')
t = np.array([2, 0])
loss = SoftmaxCrossEntropy()(F.matmul(Variable(np.array([[1.0, 2.0], [0.5, -1.0]])), W), t)
loss.backward()
"""


def _text(shell, code, press=False):
    view = gradients_view(run_traced(shell, code))
    if press:
        assert view.run is not None
        view.run.click()
    return " ".join(text_of(view.table.value).split())


def _row(text, label):
    """The table's text from the row of `label` on."""
    return text[text.index(f" {label} shape"):]


def test_int64_labels_of_softmax_cross_entropy_are_labels_not_data_to_make_float(shell):
    text = _text(shell, STEP47.format(dtype=""))
    assert LABELS in _row(text, "t"), text
    assert FLOAT_ADVICE not in text and "cannot hold the nudge" not in text
    assert "All 5 checked leaf grads pass. 1 not checked (see the result column)." in text


def test_uint8_labels_as_mnist_gives_them_are_labels_too(shell):
    text = _text(shell, STEP47.format(dtype=", dtype=np.uint8"))
    assert LABELS in text and FLOAT_ADVICE not in text, text


def test_labels_of_a_students_own_softmax_cross_entropy_class(shell):
    text = _text(shell, OWN_SCE, press=True)
    assert LABELS in text and FLOAT_ADVICE not in text, text
    assert "W shape (2, 3)" in text and "pass" in _row(text, "W")


def test_an_int_leaf_used_as_data_keeps_the_advice(shell):
    text = _text(shell, "x = Variable(np.array(2), name='x')\ny = x ** 2\ny.backward()\n")
    assert ("not checked: int64 data cannot hold the nudge of h = 0.0001 that the numerical check makes: make "
            "the data float, e.g. np.array(2.0) instead of np.array(2), to check it") in text
    assert "class labels" not in text


def test_int_labels_also_used_as_data_keep_the_advice(shell):
    # t feeds the loss as labels AND a product as data: its data use is checkable once float
    code = ("t = Variable(np.array([1, 0]), name='t')\nx = Variable(np.array([[1.0, 2.0], [0.5, -1.0]]), name='x')\n"
            "loss = F.softmax_cross_entropy(x, t) + F.sum(x[:, 0] * t)\nloss.backward()\n")
    text = _text(shell, code)
    assert "class labels" not in text and FLOAT_ADVICE in _row(text, "t"), text


def test_the_float_advice_quotes_the_leafs_own_numbers(shell):
    # QA Q24-F7: np.array(3) was advised "np.array(2.0) instead of np.array(2)"
    text = _text(shell, "x = Variable(np.array(3), name='x')\ny = x / 2\ny.backward()\n")
    assert "e.g. np.array(3.0) instead of np.array(3), to check it" in text, text
    text = _text(shell, "x = Variable(np.array([4, 5, 6]), name='x')\ny = F.sum(x * 2)\ny.backward()\n")
    assert "e.g. np.array([4.0, 5.0, 6.0]) instead of np.array([4, 5, 6]), to check it" in text, text
