// Conversion between the stored graph (ezflow/1) and React Flow's nodes and edges, plus graph rules.

export const STICKY = "note.sticky";

export function portsOf(spec, node) {
  if (!spec) return { inputs: ["main"], outputs: ["main"] };
  let outputs = spec.outputs;
  if (spec.key === "flow.switch") {
    const rules = (node.data.parameters && node.data.parameters.rules) || [];
    outputs = [...rules.map((_, index) => String(index)), "fallback"];
  }
  if (node.data.settings && node.data.settings.on_error === "error_output" && outputs.length) outputs = [...outputs, "error"];
  return { inputs: spec.inputs, outputs };
}

function sizeOf(node, index, fallback) {
  const value = Array.isArray(node.size) ? Number(node.size[index]) : NaN;
  return Number.isFinite(value) && value >= 40 ? value : fallback;
}

export function toFlow(graph) {
  const nodes = (graph.nodes || []).map((n, index) => ({
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
  }));
  const edges = (graph.edges || []).map((e) => edgeOf(e.source, e.source_port || "main", e.target, e.target_port || "main"));
  return { nodes, edges };
}

export function edgeOf(source, sourcePort, target, targetPort) {
  return {
    id: `${source}:${sourcePort}->${target}:${targetPort}`,
    source,
    sourceHandle: sourcePort,
    target,
    targetHandle: targetPort,
  };
}

export function toGraph(base, nodes, edges, pinned) {
  const graph = { ...base, format: "ezflow/1" };
  graph.nodes = nodes.map((n) => {
    const out = {
      id: n.id,
      type: n.data.ntype,
      name: n.data.name,
      position: [Math.round(n.position.x), Math.round(n.position.y)],
      parameters: n.data.parameters || {},
    };
    if (n.data.type_version) out.type_version = n.data.type_version;
    if (n.data.settings && Object.keys(n.data.settings).length) out.settings = n.data.settings;
    if (n.type === "sticky") {
      const width = n.width || (n.style && n.style.width) || (n.measured && n.measured.width) || 220;
      const height = n.height || (n.style && n.style.height) || (n.measured && n.measured.height) || 120;
      out.size = [Math.round(width), Math.round(height)];
    }
    return out;
  });
  graph.edges = edges.map((e) => ({
    source: e.source,
    source_port: e.sourceHandle || "main",
    target: e.target,
    target_port: e.targetHandle || "main",
  }));
  const keptPins = {};
  const ids = new Set(graph.nodes.map((n) => n.id));
  for (const [id, items] of Object.entries(pinned || {})) if (ids.has(id)) keptPins[id] = items;
  graph.pinned = keptPins;
  return graph;
}

export function uniqueName(nodes, wanted) {
  const names = new Set(nodes.map((n) => n.data.name));
  if (!names.has(wanted)) return wanted;
  const stem = wanted.replace(/ \d+$/, "");
  for (let i = 2; ; i += 1) if (!names.has(`${stem} ${i}`)) return `${stem} ${i}`;
}

export function newId(key) {
  const stem = key.split(".").pop().replace(/[^a-z0-9]/gi, "");
  return `${stem}_${Math.random().toString(36).slice(2, 8)}`;
}

function reachable(start, edges, forward = true) {
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

// Why a connection is refused (a translation key), or null when it is fine.
export function connectionProblem(connection, nodes, edges, catalog) {
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
  if (sourceSpec && !portsOf(sourceSpec, sourceNode).outputs.length) return "This step has no output.";
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
      return n && n.data.ntype === "flow.loop";
    });
    if (!throughLoop) return "This would make a circle. To repeat steps, use the “Loop over items” step.";
  }
  return null;
}
