"""Named points of the nightly run where the test suite kills it, as a power cut or the OOM killer would
(SIGKILL: no clean-up runs), to prove that a run dying anywhere leaves the published warehouse as it was
and that the next run succeeds. Inert unless the environment variable FINSAM_KILL_AT names a point."""

from __future__ import annotations

import os
import signal

KILL_AT = "FINSAM_KILL_AT"
# in the order a run passes them; the dbt points are the first node of that kind finished in the dbt worker
POINTS = ("validate", "build file", "dbt seed", "dbt model", "dbt test", "gx", "run info", "publish", "report")


def reached(point: str, process: int | None = None) -> None:
    """If FINSAM_KILL_AT is `point`: kill `process` if given (the dbt worker names the run, its parent), then
    this process."""
    if os.environ.get(KILL_AT) == point:
        if process is not None:
            os.kill(process, signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)
