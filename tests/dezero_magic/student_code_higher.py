"""The book's own classes for higher-order derivatives (steps 32-33), as
students type them into cells: made from step 18's (student_code.py)."""
from student_code import STEP18


def _step33():
    """Step 33's classes, made from step 18's: backward(create_graph=...) runs each function's
    backward with backprop on or off, grads are Variables, and Mul/Add take Variables and numbers."""
    code = STEP18
    for old, new in (
            ("    def backward(self, retain_grad=False):\n        if self.grad is None:\n"
             "            self.grad = np.ones_like(self.data)\n",
             "    def backward(self, retain_grad=False, create_graph=False):\n        if self.grad is None:\n"
             "            self.grad = Variable(np.ones_like(self.data))\n"),
            ("            gxs = f.backward(*gys)\n            if not isinstance(gxs, tuple):\n"
             "                gxs = (gxs,)\n            for x, gx in zip(f.inputs, gxs):\n"
             "                x.grad = gx if x.grad is None else x.grad + gx\n"
             "                if x.creator is not None:\n                    add_func(x.creator)\n",
             "            with using_config('enable_backprop', create_graph):\n"
             "                gxs = f.backward(*gys)\n                if not isinstance(gxs, tuple):\n"
             "                    gxs = (gxs,)\n                for x, gx in zip(f.inputs, gxs):\n"
             "                    x.grad = gx if x.grad is None else x.grad + gx\n"
             "                    if x.creator is not None:\n                        add_func(x.creator)\n"),
            ("    def __call__(self, *inputs):\n        xs = ",
             "    def __call__(self, *inputs):\n        inputs = [as_variable(x) for x in inputs]\n        xs = ")):
        assert code.count(old) == 1, old
        code = code.replace(old, new)
    return code + '''
def as_variable(obj):
    return obj if isinstance(obj, Variable) else Variable(as_array(obj))

class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1
    def backward(self, gy):
        x0, x1 = self.inputs
        return gy * x1, gy * x0

Variable.__mul__ = Variable.__rmul__ = lambda a, b: Mul()(a, b)
Variable.__add__ = Variable.__radd__ = lambda a, b: Add()(a, b)
'''


STEP33 = _step33()
