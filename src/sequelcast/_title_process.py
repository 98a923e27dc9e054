"""The process in which a build computes its title index and answers (see
``sequelcast.service._build``): pickled :class:`~sequelcast.resolve.answers.TitleInputs` on stdin,
the pickled result of :func:`~sequelcast.resolve.answers.index_and_answers` on stdout.

It imports the resolver and nothing of the catalog, so it starts in a fraction of a second.
"""

from __future__ import annotations

import pickle
import sys

from sequelcast.resolve.answers import TitleInputs, index_and_answers


def main() -> None:
    """Read pickled :class:`TitleInputs` on stdin, write on stdout the pickled result of
    :func:`index_and_answers` and this process's peak resident memory in bytes (``None`` where
    ``/proc`` does not say): how a build runs the job in a process of its own
    (``python -c "from sequelcast._title_process import main; main()"``)."""
    inputs = pickle.load(sys.stdin.buffer)
    if not isinstance(inputs, TitleInputs):
        raise SystemExit(f"expected pickled TitleInputs on stdin, got {type(inputs).__name__}")
    result = index_and_answers(inputs)
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
