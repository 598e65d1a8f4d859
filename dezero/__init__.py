"""dezero: the define-by-run framework of "Deep Learning from Scratch 3".

Importing dezero needs NumPy alone.
"""
from dezero.config import Config, no_grad, test_mode, using_config  # noqa: F401
from dezero.core import Function, Parameter, Variable, as_array, as_variable  # noqa: F401
from dezero.arithmetic import setup_variable
from dezero.backprop import grad  # noqa: F401
from dezero import events  # noqa: F401
from dezero import functions  # noqa: F401
from dezero.gradcheck import gradient_check, numerical_diff, numerical_grad  # noqa: F401

setup_variable()

__version__ = "0.1.0"
