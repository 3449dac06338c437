"""The document steps (apps/documents, docs/documents.md): limits of the child process that parses the files."""

from .env import env

# Memory (address space) of the child process; a file that needs more is a step error, never the worker's problem.
EZFLOW_DOCUMENTS_MEMORY_MB = env.int("EZFLOW_DOCUMENTS_MEMORY_MB", default=1536)
# CPU seconds per call (one file); the process's whole life (one step) gets ten times as much.
EZFLOW_DOCUMENTS_CPU_SECONDS = env.int("EZFLOW_DOCUMENTS_CPU_SECONDS", default=120)
# Wall-clock seconds per call, and never more than the step's own time left.
EZFLOW_DOCUMENTS_WALL_SECONDS = env.float("EZFLOW_DOCUMENTS_WALL_SECONDS", default=300.0)
