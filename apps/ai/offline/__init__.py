"""AI that runs inside EZFlow with no API key and no network: sentiment, extraction, masking, summaries and keywords,
classification (zero-shot and trained from examples), anomalies and forecasts, language detection (docs/ai.md).

Each capability is one module here; its step class is in apps/ai/nodes/builtin/offline/. Models load on first use,
once per process (cache.py), never when a web process imports the step catalogue."""
