from apps.flows.engine.executor import Executor
from apps.flows.engine.graph import Graph
from apps.flows.engine.reporter import RecordingReporter


def node(node_id, type_, name=None, settings=None, **parameters):
    return {"id": node_id, "type": type_, "name": name or node_id, "parameters": parameters, "settings": settings or {}}


def edge(source, target, source_port="main", target_port="main"):
    return {"source": source, "target": target, "source_port": source_port, "target_port": target_port}


def run(nodes, edges, items=None, **kwargs):
    reporter = RecordingReporter()
    executor = Executor(Graph.from_dict({"nodes": nodes, "edges": edges}), reporter=reporter, sleep=lambda s: None, **kwargs)
    result = executor.run(trigger_items=items if items is not None else [{}])
    return result, reporter


def cond(left, op, right=None):
    return {"left": left, "operator": op, "right": right}
