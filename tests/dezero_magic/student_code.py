"""The book's own classes, as students type them into cells (steps 6-18).

Kept as source strings: the tests run them in a shell cell (so the classes
are created during the cell) or exec them into a fresh namespace.
"""

STEP7 = '''
import numpy as np

class Variable:
    def __init__(self, data):
        self.data = data
        self.grad = None
        self.creator = None

    def set_creator(self, func):
        self.creator = func

    def backward(self):
        f = self.creator
        if f is not None:
            x = f.input
            x.grad = f.backward(self.grad)
            x.backward()

class Function:
    def __call__(self, input):
        x = input.data
        y = self.forward(x)
        output = Variable(y)
        output.set_creator(self)
        self.input = input
        self.output = output
        return output

class Square(Function):
    def forward(self, x):
        return x ** 2
    def backward(self, gy):
        x = self.input.data
        return 2 * x * gy

class Exp(Function):
    def forward(self, x):
        return np.exp(x)
    def backward(self, gy):
        x = self.input.data
        return np.exp(x) * gy
'''

STEP7_RUN = '''
A = Square(); B = Exp(); C = Square()
x = Variable(np.array(0.5))
a = A(x)
b = B(a)
y = C(b)
y.grad = np.array(1.0)
y.backward()
'''

# Shared by the steps below as the book types them: Variable's first lines of
# steps 16-18 (name, creator, generation) and the two operations the tests use.
VARIABLE_HEAD = '''
def as_array(x):
    return np.array(x) if np.isscalar(x) else x

class Variable:
    def __init__(self, data, name=None):
        self.data = data
        self.name = name
        self.grad = None
        self.creator = None
        self.generation = 0

    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1
'''

BOOK_OPS = '''
class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1
    def backward(self, gy):
        return gy, gy

class Square(Function):
    def forward(self, x):
        return x ** 2
    def backward(self, gy):
        return 2 * self.inputs[0].data * gy

def add(x0, x1):
    return Add()(x0, x1)

def square(x):
    return Square()(x)
'''

# A student's short Variable and Function (steps 7-14 folded into a few lines,
# one output each): QA's in-place `+=` and `__slots__` cells are made from it
# (ADDS_UP names the line that adds a grad up, for them to change).
ADDS_UP = "                x.grad = gx if x.grad is None else x.grad + gx\n"
SHORT_CLASSES = '''
import numpy as np

class Variable:
    def __init__(self, data):
        self.data, self.grad, self.creator = data, None, None
    def backward(self):
        self.grad = np.ones_like(self.data)
        funcs = [self.creator]
        while funcs:
            f = funcs.pop()
            gxs = f.backward(*[y.grad for y in f.outputs])
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
''' + ADDS_UP + '''                if x.creator is not None:
                    funcs.append(x.creator)

class Function:
    def __call__(self, *inputs):
        y = Variable(self.forward(*[x.data for x in inputs]))
        y.creator = self
        self.inputs, self.outputs = inputs, [y]
        return y
'''

# Steps 11-14: variable-length inputs/outputs, list-based backward, and the
# step-14 bug when `accumulate` is False (x.grad = gx overwrites).
STEP14 = '''
import numpy as np

def as_array(x):
    return np.array(x) if np.isscalar(x) else x

class Variable:
    def __init__(self, data):
        self.data = data
        self.grad = None
        self.creator = None

    def set_creator(self, func):
        self.creator = func

    def backward(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        funcs = [self.creator]
        while funcs:
            f = funcs.pop()
            gys = [output.grad for output in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                if ACCUMULATE and x.grad is not None:
                    x.grad = x.grad + gx
                else:
                    x.grad = gx
                if x.creator is not None:
                    funcs.append(x.creator)

class Function:
    def __call__(self, *inputs):
        xs = [x.data for x in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]
        for output in outputs:
            output.set_creator(self)
        self.inputs = inputs
        self.outputs = outputs
        return outputs if len(outputs) > 1 else outputs[0]
''' + BOOK_OPS

# Step 17's Function: outputs held by weak references, the generation of its inputs.
STEP17_FUNCTION = '''
class Function:
    def __call__(self, *inputs):
        xs = [x.data for x in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]
        self.generation = max([x.generation for x in inputs])
        for output in outputs:
            output.set_creator(self)
        self.inputs = inputs
        self.outputs = [weakref.ref(output) for output in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

'''

# Step 16 with generations (or without, when GENERATIONS is False: then the
# list-pop order of step 15 is D, C, A, B, A), step 17's weakref outputs.
STEP17 = '''
import weakref
import numpy as np

''' + VARIABLE_HEAD + '''
    def backward(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        funcs = []
        seen = set()
        def add_func(f):
            if f not in seen:
                funcs.append(f)
                seen.add(f)
                if GENERATIONS:
                    funcs.sort(key=lambda x: x.generation)
        add_func(self.creator)
        while funcs:
            f = funcs.pop()
            gys = [output().grad for output in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                x.grad = gx if x.grad is None else x.grad + gx
                if x.creator is not None:
                    if GENERATIONS:
                        add_func(x.creator)
                    else:
                        funcs.append(x.creator)

''' + STEP17_FUNCTION + BOOK_OPS

# Step 17's classes before step 7's Variable.backward is added back (nb03 keeps
# its Variable without one): there is no backward pass to step through.
STEP17_NO_BACKWARD = "import weakref\nimport numpy as np\n" + VARIABLE_HEAD + STEP17_FUNCTION + BOOK_OPS

# Step 18: the student's own Config (enable_backprop), no_grad, and
# backward(retain_grad=False) that drops the intermediate grads.
STEP18 = '''
import contextlib
import weakref
import numpy as np

class Config:
    enable_backprop = True

@contextlib.contextmanager
def using_config(name, value):
    old_value = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, old_value)

def no_grad():
    return using_config('enable_backprop', False)

''' + VARIABLE_HEAD + '''
    def cleargrad(self):
        self.grad = None

    def backward(self, retain_grad=False):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        funcs = []
        seen = set()
        def add_func(f):
            if f not in seen:
                funcs.append(f)
                seen.add(f)
                funcs.sort(key=lambda x: x.generation)
        add_func(self.creator)
        while funcs:
            f = funcs.pop()
            gys = [output().grad for output in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                x.grad = gx if x.grad is None else x.grad + gx
                if x.creator is not None:
                    add_func(x.creator)
            if not retain_grad:
                for y in f.outputs:
                    y().grad = None

class Function:
    def __call__(self, *inputs):
        xs = [x.data for x in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]
        if Config.enable_backprop:
            self.generation = max([x.generation for x in inputs])
            for output in outputs:
                output.set_creator(self)
            self.inputs = inputs
            self.outputs = [weakref.ref(output) for output in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

''' + BOOK_OPS

# Step 6: Variable has no creator yet; backward is called by hand.
STEP6 = '''
import numpy as np

class Variable:
    def __init__(self, data):
        self.data = data
        self.grad = None

class Function:
    def __call__(self, input):
        x = input.data
        y = self.forward(x)
        output = Variable(y)
        self.input = input
        return output

class Square(Function):
    def forward(self, x):
        return x ** 2
    def backward(self, gy):
        x = self.input.data
        return 2 * x * gy
'''

# The lecture's diamond: a = A(x); b = B(a); c = C(a); y = D(b, c).
DIAMOND_RUN = '''
x = Variable(np.array(2.0))
a = square(x)
y = add(square(a), square(a))
y.backward()
'''

# Step 20: Mul and `*` on the student's Variable (after STEP17 or STEP18).
BOOK_MUL = '''
class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1
    def backward(self, gy):
        x0, x1 = self.inputs[0].data, self.inputs[1].data
        return gy * x1, gy * x0

def mul(x0, x1):
    return Mul()(x0, x1)

Variable.__mul__ = mul
'''

# Step 15's lecture diamond with the student's own subclasses, each backward
# printing its name and handing on to the book's with super().
SUPER_DIAMOND = '''
class A(Square):
    def backward(self, gy):
        print("A")
        return super().backward(gy)

class B(Square):
    def backward(self, gy):
        print("B")
        return super().backward(gy)

class C(Square):
    def backward(self, gy):
        print("C")
        return super().backward(gy)

class D(Add):
    def backward(self, gy):
        print("D")
        return super().backward(gy)

x = Variable(np.array(0.5))
a = A()(x)
b = B()(a)
c = C()(a)
y = D()(b, c)
y.backward()
'''
