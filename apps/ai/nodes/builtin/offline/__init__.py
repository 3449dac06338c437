"""The offline AI steps (apps/ai/offline): their classes only; the work is done in apps/ai/offline/<capability>.py."""
