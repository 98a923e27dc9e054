"""A process in which a build runs one of its jobs (see ``sequelcast.service._build``).

Started as ``python -c "from sequelcast._worker import main; main()" MODULE...``: it imports
each MODULE at once (so its imports overlap the build's own work), then reads one pickled
``(function, args)`` on stdin, calls it, and writes on stdout the pickled ``(result, peak)``,
where ``peak`` is this process's peak resident memory in bytes (``None`` where ``/proc`` does not
say). A job that raises exits with a non-zero status and its traceback on stderr.

A new process rather than a fork: a fork copies only the calling thread, and a child of a
process whose OpenMP pool or other threads held a lock could deadlock on it.
"""

from __future__ import annotations

import importlib
import pickle
import sys


def main() -> None:
    for module in sys.argv[1:]:
        importlib.import_module(module)
    job = pickle.load(sys.stdin.buffer)
    if not (isinstance(job, tuple) and len(job) == 2 and callable(job[0])):
        raise SystemExit(f"expected a pickled (function, args) on stdin, got {type(job).__name__}")
    fn, args = job
    result = fn(*args)
    pickle.dump((result, _peak_bytes()), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)


def _peak_bytes() -> int | None:
    """VmHWM of this process: unlike ``ru_maxrss``, it does not count the parent's memory that a
    new process holds between its fork and its exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None
