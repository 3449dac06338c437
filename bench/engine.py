"""Engine overhead in process: a linear flow of N set-field nodes over M items.

Prints µs per node and per node-item, for constant values and for an expression per field.
Run with `make bench BENCH=engine` (no database needed). BENCH_NODES (1000), BENCH_ITEMS (100).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

NODES = int(os.environ.get("BENCH_NODES", "1000"))
ITEMS = int(os.environ.get("BENCH_ITEMS", "100"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))


def graph(value) -> dict:
    nodes = [{"id": "start", "type": "trigger.manual", "name": "Start"}]
    edges = []
    previous = "start"
    for index in range(NODES):
        node_id = f"n{index}"
        nodes.append({"id": node_id, "type": "data.set", "name": node_id, "parameters": {"fields": [{"name": "f", "value": value}]}})
        edges.append({"source": previous, "target": node_id})
        previous = node_id
    return {"nodes": nodes, "edges": edges}


def measure(label: str, value) -> None:
    from apps.flows.engine.executor import Executor
    from apps.flows.engine.graph import Graph

    built = Graph.from_dict(graph(value))
    items = [{"id": i, "name": f"item {i}", "amount": i * 10} for i in range(ITEMS)]
    timings = []
    for _ in range(REPEAT):
        executor = Executor(built)
        started = time.perf_counter()
        result = executor.run(trigger_items=items)
        timings.append(time.perf_counter() - started)
        assert result.status == "success", result.error
    best, median = min(timings), statistics.median(timings)
    print(
        f"{label:<28} total {median * 1000:8.1f} ms (best {best * 1000:.1f})   "
        f"{median / NODES * 1e6:8.1f} µs/node   {median / (NODES * ITEMS) * 1e6:6.2f} µs/node-item"
    )


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ezflow_site.settings")
    import django

    django.setup()
    print(f"engine overhead: linear flow of {NODES} set-field nodes over {ITEMS} items, median of {REPEAT} runs")
    measure("constant value", "x")
    measure("expression per item", "{{ json.amount + 1 }}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
