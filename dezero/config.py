"""Global switches of the book's step 18 (`Config`, `using_config`, `no_grad`)."""
import contextlib


class Config:
    """Process-wide settings: `enable_backprop` (step 18) and `train` (step 52)."""

    enable_backprop = True
    train = True
    # Not in the book: when True every backward keeps intermediate grads as
    # if called with retain_grad=True (what `%%dezero --retain-grad` sets).
    retain_grad = False


def using_config(name, value):
    """Set `Config.<name>` to `value` inside a `with` block; always restored."""
    return setting(Config, name, value)


@contextlib.contextmanager
def setting(config, name, value):
    """`using_config` on the settings class `config` (dezero.core_simple has its own)."""
    if not hasattr(config, name):
        raise AttributeError(
            f"Config has no setting {name!r}; known settings: "
            + ", ".join(k for k in vars(config) if not k.startswith("_"))
        )
    old_value = getattr(config, name)
    setattr(config, name, value)
    try:
        yield
    finally:
        setattr(config, name, old_value)


def no_grad():
    """Run a block without building the graph (no creators, inputs not kept)."""
    return using_config("enable_backprop", False)


def test_mode():
    """Run a block in inference mode (dropout off, batch norm uses its averages)."""
    return using_config("train", False)
