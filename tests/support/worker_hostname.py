"""``[core] hostname_callable`` for the Celery test: a task instance records which worker ran it.

Both test workers run on this one machine, so the real host name would be the
same for both; each worker's environment names it (SAMLA_TEST_WORKER), and the
task processes it starts inherit that.
"""

import os
import socket


def hostname() -> str:
    return os.environ.get("SAMLA_TEST_WORKER") or socket.getfqdn()
