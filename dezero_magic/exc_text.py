"""Exceptions as text, for notes and messages about the user's errors.

A user's exception may carry a __str__ that itself raises; formatting it
with f"{exc}" would then replace the note (or the whole graph) by a second,
unrelated error.
"""
from dezero_magic.naming import printable


def message(exc):
    """str(exc), or a stand-in when its __str__ raises; printable (a lone
    surrogate in it made the whole display unsendable)."""
    try:
        text = str(exc)
    except Exception as inner:  # noqa: BLE001 - any __str__ of the user's may fail
        return f"<its message could not be read: {type(inner).__name__} in {type(exc).__name__}.__str__>"
    return printable(text)


def described(exc):
    """'TypeError: message', as a traceback's last line says it."""
    return f"{type(exc).__name__}: {message(exc)}"
