"""%%dezero: an IPython extension that runs a cell and shows its dezero graph.

`%load_ext dezero_magic` registers the magics; `%unload_ext dezero_magic`
removes them and every observer this package registered. IPython is
imported only here (on load) and in `magic.py`.
"""


def load_ipython_extension(ipython):
    from dezero_magic import autoawait
    from dezero_magic.magic import DezeroMagics
    from dezero_magic.magic_help import install_help_transform

    ipython.register_magics(DezeroMagics)
    autoawait.install(ipython)  # top-level await in %%dezero cells
    install_help_transform(ipython)  # `%%dezero -h` alone in a cell: the help, not IPython's refusal


def unload_ipython_extension(ipython):
    import sys

    from dezero import events
    from dezero_magic import autoawait
    from dezero_magic.backward_watch import BackwardWatch
    from dezero_magic.magic_help import remove_help_transform
    from dezero_magic.tracer import Tracer

    autoawait.uninstall(ipython)
    remove_help_transform(ipython)
    for kind in ("line", "cell"):
        ipython.magics_manager.magics[kind].pop("dezero", None)
    ipython.magics_manager.registry.pop("DezeroMagics", None)
    # Normally nothing is left (each cell removes its own); a cell interrupted
    # inside our code must still not leave a listener behind.
    for observer in events.observers():
        if isinstance(observer, Tracer):
            observer.unloaded = True  # (a cell that unloads the extension: its graph says so)
            events.remove_observer(observer)
    hook = sys.getprofile()
    if isinstance(getattr(hook, "__self__", None), BackwardWatch):
        hook.__self__.unloaded = True
        sys.setprofile(None)
