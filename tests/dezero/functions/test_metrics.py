"""accuracy: argmax agreement, a plain Variable without a creator."""
import numpy as np
import pytest

import dezero.functions as F
from dezero import Variable


def test_accuracy_counts_argmax_hits():
    y = np.array([[0.2, 0.8, 0.0], [0.1, 0.9, 0.0], [0.8, 0.1, 0.1]])
    acc = F.accuracy(y, np.array([1, 2, 0]))
    assert isinstance(acc, Variable) and acc.creator is None
    np.testing.assert_allclose(acc.data, 2 / 3)
    column_labels = Variable(np.array([[1], [1], [0]]))
    np.testing.assert_allclose(F.accuracy(Variable(y), column_labels).data, 1.0)


def test_accuracy_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="N labels"):
        F.accuracy(np.zeros((3, 2)), np.array([0, 1]))
