"""The browser steps (apps/browser, docs/browser.md): which Chromium, how many at once, how long and how large."""

from .env import env

# The Chromium (or Chrome) the browser steps start; Debian's package is `chromium`.
EZFLOW_BROWSER_EXECUTABLE = env.str("EZFLOW_BROWSER_EXECUTABLE", default="/usr/bin/chromium")
# Browsers open at once in one worker process; a step that finds none free waits for one until its timeout.
EZFLOW_BROWSER_MAX_PER_WORKER = env.int("EZFLOW_BROWSER_MAX_PER_WORKER", default=2)
# The longest a browser step may keep its browser (each step's own timeout applies too, whichever is shorter).
EZFLOW_BROWSER_MAX_SECONDS = env.float("EZFLOW_BROWSER_MAX_SECONDS", default=300.0)
# Memory of a browser and its helper processes together (resident); over it the browser is stopped.
EZFLOW_BROWSER_MEMORY_MB = env.int("EZFLOW_BROWSER_MEMORY_MB", default=1024)
# The largest file a browser step downloads or a screenshot it keeps.
EZFLOW_BROWSER_MAX_FILE_BYTES = env.int("EZFLOW_BROWSER_MAX_FILE_BYTES", default=50 * 1024 * 1024)
# A worker process keeps its browsers running between sessions (each session gets a fresh context: no cookies,
# storage or cache carried over); off: a new browser per session, as web processes always do.
EZFLOW_BROWSER_WARM = env.bool("EZFLOW_BROWSER_WARM", default=True)
# A warm browser is replaced after this many sessions, or when it holds more than this much memory after one
# (proportional set size of all its processes: shared pages counted once; an idle one holds about 250 MB).
EZFLOW_BROWSER_RECYCLE_SESSIONS = env.int("EZFLOW_BROWSER_RECYCLE_SESSIONS", default=200)
EZFLOW_BROWSER_RECYCLE_MEMORY_MB = env.int("EZFLOW_BROWSER_RECYCLE_MEMORY_MB", default=500)
# A warm browser nobody used for this long is closed (its few hundred MB given back).
EZFLOW_BROWSER_IDLE_SECONDS = env.float("EZFLOW_BROWSER_IDLE_SECONDS", default=300.0)
