"""One-off costs of a process (imports, template loading, font set-up), paid in a background
thread while a build's notebooks run in their kernel (another process) instead of after them.

Each warm-up runs once per process. Its errors are dropped: the real call that needs what it
prepares raises them where they can be reported.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

_lock = threading.Lock()
_threads: dict[str, threading.Thread] = {}


def start(name: str, prepare: Callable[[], object]) -> threading.Thread:
    """Run `prepare` in a background thread, unless a warm-up called `name` has started before."""
    with _lock:
        if name not in _threads:
            _threads[name] = threading.Thread(target=_quietly, args=(prepare,), name=f"warm-up-{name}")
            _threads[name].start()
        return _threads[name]


def _quietly(prepare: Callable[[], object]) -> None:
    try:
        prepare()
    except Exception:  # noqa: BLE001 - see the module's docstring
        pass
