"""The offline planner: a Korean or English sentence becomes a flow graph, built only from what the step catalog
declares (labels, descriptions, aliases, parameters), so a newly registered step is usable without changes here.

Pure Python (no Django request, no model): `plan(prompt, language=, time_zone=, graph=)` → `Draft`.
"""

from apps.assistant.planner.draft import Draft, plan

__all__ = ["Draft", "plan"]
