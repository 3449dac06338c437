"""The Claude engine: the model edits the flow through tools over the step catalog and the graph, and the flow is
validated and repaired until it passes or the turn limit is reached (docs/assistant.md)."""
