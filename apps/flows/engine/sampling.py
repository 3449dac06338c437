"""What of a step's output is kept to show people: the first items, within a byte budget."""

from __future__ import annotations

import json

SAMPLE_ITEMS = 10
SAMPLE_BYTES = 32_000


def sample_outputs(outputs: dict[str, list[dict]]) -> dict:
    sample, budget = {}, SAMPLE_BYTES
    for port, items in outputs.items():
        kept = []
        for item in items[:SAMPLE_ITEMS]:
            size = len(json.dumps(item, default=str))
            if size > budget:
                kept.append({"_truncated": True, "size": size})
                break
            budget -= size
            kept.append(item)
        sample[port] = {"items": kept, "count": len(items)}
    return sample
