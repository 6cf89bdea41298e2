"""SIGTERM stops a publication: the transaction is rolled back and nothing half-done is published.

Airflow's task runner only calls ``on_kill`` on SIGTERM and SIGKILLs later, and a
plain process dies without telling the server: either way a publish waiting on a
lock or a long statement would linger. ``PublicationStopped`` is a
``KeyboardInterrupt`` because psycopg answers exactly that by cancelling the
running query on the server; SQLAlchemy's ``begin()`` then rolls back.
"""

from __future__ import annotations

import functools
import signal
import threading
from collections.abc import Callable
from typing import Any


class PublicationStopped(KeyboardInterrupt):
    """SIGTERM arrived during a publication."""


def stops_on_sigterm(function: Callable) -> Callable:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is not threading.main_thread():  # handlers live in the main thread
            return function(*args, **kwargs)
        previous = signal.getsignal(signal.SIGTERM)

        def stop(signum, frame):
            if callable(previous):
                previous(signum, frame)  # e.g. Airflow's on_kill
            raise PublicationStopped("stopped by SIGTERM: the publication was rolled back, nothing of it was "
                                     "published")

        signal.signal(signal.SIGTERM, stop)
        try:
            return function(*args, **kwargs)
        finally:
            signal.signal(signal.SIGTERM, previous)

    return wrapper
