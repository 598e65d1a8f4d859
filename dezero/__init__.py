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
from dezero import variable_numbers  # noqa: E402,F401  (format(), float(), round() of a Variable)

# Imported after setup_variable: layers and models use Variable's operators.
from dezero.layers import Layer  # noqa: E402,F401
from dezero.models import Model  # noqa: E402,F401
from dezero import layers, models, optimizers  # noqa: E402,F401
from dezero import dataloaders, datasets, transforms  # noqa: E402,F401
from dezero.dataloaders import DataLoader, SeqDataLoader  # noqa: E402,F401  (step 60 imports both from here)
from dezero.datasets import Dataset  # noqa: E402,F401
from dezero import utils  # noqa: E402,F401  (the book's `dezero.utils.get_conv_outsize(...)` path)

__version__ = "0.1.0"
