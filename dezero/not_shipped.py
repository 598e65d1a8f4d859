"""The module `__getattr__` of dezero.models and dezero.datasets for the book's
names this package leaves out (pretrained models, downloaded datasets): asking
for one raises an ImportError that says why it is missing and what to do.

ImportError, not AttributeError: `from dezero.models import VGG16` replaces
an AttributeError raised by a module's `__getattr__` with its own bare
"cannot import name" message. The price: `hasattr(dezero.models, "VGG16")`
and `getattr(dezero.models, "VGG16", None)` raise that ImportError too,
instead of answering False / None (an exception cannot be both kinds: their
instance layouts conflict). Other missing names stay AttributeErrors.
"""


def not_shipped_getattr(module, names, why):
    """A `__getattr__` for `module` (its __name__): ImportError "MODULE.NAME is
    not shipped with this dezero: WHY" for each of `names`, the usual
    AttributeError for any other name."""
    names = frozenset(names)

    def __getattr__(name):
        if name in names:
            raise ImportError(f"{module}.{name} is not shipped with this dezero: {why}", name=module)
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
