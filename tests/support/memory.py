"""A process's peak memory over a stretch of work: reset the kernel's high-water mark, work, read it.

``ru_maxrss`` cannot do this: it is the peak of the process's whole life, and Linux keeps it across
``execve``, so a child started from a 480 MB pytest process reports 480 MB before it does anything, and a
growth measured against it is zero whatever the work took. ``/proc/self/clear_refs`` (writing 5) resets
VmHWM, the resident high-water mark, to the current size (Linux 4.0 and later).
"""

from __future__ import annotations

import re
from pathlib import Path

_STATUS = Path("/proc/self/status")


def reset_peak() -> None:
    """From now on, the peak is measured afresh."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> float:
    """The resident high-water mark since the last reset (or since exec), in MB."""
    return int(re.search(r"VmHWM:\s+(\d+) kB", _STATUS.read_text()).group(1)) / 1024


def current_mb() -> float:
    return int(re.search(r"VmRSS:\s+(\d+) kB", _STATUS.read_text()).group(1)) / 1024
