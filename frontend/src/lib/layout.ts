// "Tidy up": steps laid out left to right by their connections (sticky notes stay where they are).
import dagre from "@dagrejs/dagre";
import type { FlowEdge, FlowNode } from "../types/graph";

export function layoutPositions(nodes: FlowNode[], edges: FlowEdge[]): FlowNode[] {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 50, ranksep: 90 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const x of nodes) {
    if (x.type === "sticky") continue;
    g.setNode(x.id, { width: (x.measured && x.measured.width) || 200, height: (x.measured && x.measured.height) || 60 });
  }
  for (const x of edges) if (g.hasNode(x.source) && g.hasNode(x.target)) g.setEdge(x.source, x.target);
  dagre.layout(g);
  return nodes.map((x) => {
    if (x.type === "sticky") return x;
    const p = g.node(x.id);
    return { ...x, position: { x: p.x - p.width / 2, y: p.y - p.height / 2 } };
  });
}
