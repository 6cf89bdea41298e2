"""Run a child as an ordinary user would be, as far as file modes go (the tests run as root)."""

from __future__ import annotations

import ctypes
import os

PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def bound_by_file_modes() -> None:
    """preexec_fn: drop root's power to read past file modes (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)
    from the bounding set, so the command run next is refused a mode-000 file as any user is. The
    tests run as root, who otherwise reads it; not as root, the modes bind already."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
