// Conversion between the stored graph (ezflow/1) and React Flow's nodes and edges, plus graph rules.
// Ports come only from the node catalog (outputs, dynamic_outputs, is_loop): no step type is named here.
import type { Catalog, NodeSpec } from "../types/catalog";
import type { FlowEdge, FlowNode, NodeData, Pinned, StoredEdge, StoredGraph, StoredNode } from "../types/graph";

export const STICKY = "note.sticky";

export interface Ports {
  inputs: string[];
  outputs: string[];
}

export function portsOf(spec: NodeSpec | undefined, data: Pick<NodeData, "parameters" | "settings">): Ports {
  if (!spec) return { inputs: ["main"], outputs: ["main"] };
  let outputs = spec.outputs;
  const dynamic = spec.dynamic_outputs;
  if (dynamic) {
    const entries = data.parameters ? data.parameters[dynamic.from] : undefined;
    const count = Array.isArray(entries) ? entries.length : 0;
    outputs = [...Array.from({ length: count }, (_, index) => String(index)), ...dynamic.then];
  }
  if (data.settings && data.settings.on_error === "error_output" && outputs.length) outputs = [...outputs, "error"];
  return { inputs: spec.inputs, outputs };
}

function sizeOf(node: StoredNode, index: number, fallback: number): number {
  const value = Array.isArray(node.size) ? Number(node.size[index]) : NaN;
  return Number.isFinite(value) && value >= 40 ? value : fallback;
}

export function toFlow(graph: Partial<Pick<StoredGraph, "nodes" | "edges">>): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const nodes = (graph.nodes || []).map(
    (n, index): FlowNode => ({
      id: String(n.id),
      type: n.type === STICKY ? "sticky" : "ez",
      position: {
        x: Array.isArray(n.position) ? Number(n.position[0]) || 0 : index * 240,
        y: Array.isArray(n.position) ? Number(n.position[1]) || 0 : 0,
      },
      ...(n.type === STICKY ? { style: { width: sizeOf(n, 0, 220), height: sizeOf(n, 1, 120) } } : {}),
      data: {
        ntype: n.type,
        type_version: n.type_version,
        name: n.name || n.id,
        parameters: n.parameters || {},
        settings: n.settings || {},
      },
    }),
  );
  const edges = (graph.edges || []).map((e) => edgeOf(e.source, e.source_port || "main", e.target, e.target_port || "main"));
  return { nodes, edges };
}

export function edgeOf(source: string, sourcePort: string, target: string, targetPort: string): FlowEdge {
  return {
    id: `${source}:${sourcePort}->${target}:${targetPort}`,
    source,
    sourceHandle: sourcePort,
    target,
    targetHandle: targetPort,
  };
}

function dimension(node: FlowNode, key: "width" | "height", fallback: number): number {
  const fromStyle = node.style ? node.style[key] : undefined;
  const candidates = [node[key], typeof fromStyle === "number" ? fromStyle : undefined, node.measured && node.measured[key]];
  return candidates.find((v): v is number => typeof v === "number" && v > 0) || fallback;
}

export function toGraph(base: Record<string, unknown>, nodes: FlowNode[], edges: FlowEdge[], pinned: Pinned): StoredGraph {
  const storedNodes = nodes.map((n) => {
    const out: StoredNode = {
      id: n.id,
      type: n.data.ntype,
      name: n.data.name,
      position: [Math.round(n.position.x), Math.round(n.position.y)],
      parameters: n.data.parameters || {},
    };
    if (n.data.type_version) out.type_version = n.data.type_version;
    if (n.data.settings && Object.keys(n.data.settings).length) out.settings = n.data.settings;
    if (n.type === "sticky") out.size = [Math.round(dimension(n, "width", 220)), Math.round(dimension(n, "height", 120))];
    return out;
  });
  const storedEdges = edges.map(
    (e): StoredEdge => ({
      source: e.source,
      source_port: e.sourceHandle || "main",
      target: e.target,
      target_port: e.targetHandle || "main",
    }),
  );
  const keptPins: Pinned = {};
  const ids = new Set(storedNodes.map((n) => n.id));
  for (const [id, items] of Object.entries(pinned || {})) if (ids.has(id)) keptPins[id] = items;
  return { ...base, format: "ezflow/1", nodes: storedNodes, edges: storedEdges, pinned: keptPins };
}

export function uniqueName(nodes: FlowNode[], wanted: string): string {
  const names = new Set(nodes.map((n) => n.data.name));
  if (!names.has(wanted)) return wanted;
  const stem = wanted.replace(/ \d+$/, "");
  for (let i = 2; ; i += 1) if (!names.has(`${stem} ${i}`)) return `${stem} ${i}`;
}

export function newId(key: string): string {
  const stem = (key.split(".").pop() || "node").replace(/[^a-z0-9]/gi, "");
  return `${stem}_${Math.random().toString(36).slice(2, 8)}`;
}

function reachable(start: string, edges: FlowEdge[], forward = true): Set<string> {
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length) {
    const current = stack.pop();
    for (const e of edges) {
      const [from, to] = forward ? [e.source, e.target] : [e.target, e.source];
      if (from === current && !seen.has(to)) {
        seen.add(to);
        stack.push(to);
      }
    }
  }
  return seen;
}

export interface ConnectionLike {
  source: string | null;
  target: string | null;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

// Why a connection is refused (a translation key), or null when it is fine.
export function connectionProblem(connection: ConnectionLike, nodes: FlowNode[], edges: FlowEdge[], catalog: Catalog): string | null {
  const { source, target } = connection;
  if (!source || !target) return "Connect an output (right side) to an input (left side).";
  if (source === target) return "A step cannot connect to itself.";
  const targetNode = nodes.find((n) => n.id === target);
  const sourceNode = nodes.find((n) => n.id === source);
  if (!targetNode || !sourceNode) return "Connect an output (right side) to an input (left side).";
  const targetSpec = catalog[targetNode.data.ntype];
  const sourceSpec = catalog[sourceNode.data.ntype];
  if (targetNode.type === "sticky" || sourceNode.type === "sticky") return "Sticky notes cannot be connected.";
  if (targetSpec && targetSpec.is_trigger) return "A trigger starts the flow, so nothing can connect into it.";
  if (targetSpec && !targetSpec.inputs.length) return "This step takes no input.";
  if (sourceSpec && !portsOf(sourceSpec, sourceNode.data).outputs.length) return "This step has no output.";
  const sourcePort = connection.sourceHandle || "main";
  const targetPort = connection.targetHandle || "main";
  if (edges.some((e) => e.source === source && e.target === target && (e.sourceHandle || "main") === sourcePort && (e.targetHandle || "main") === targetPort))
    return "These steps are already connected.";
  const after = reachable(target, edges, true);
  if (after.has(source)) {
    const before = reachable(source, edges, false);
    const onCycle = [...after].filter((id) => before.has(id));
    const throughLoop = onCycle.some((id) => {
      const n = nodes.find((x) => x.id === id);
      const spec = n && catalog[n.data.ntype];
      return !!(spec && spec.is_loop);
    });
    if (!throughLoop) return "This would make a circle. To repeat steps, use the “Loop over items” step.";
  }
  return null;
}
