// What React Flow draws: the draft's steps with their run status, problems and version-comparison marks, plus the
// steps and connections a compared version had and the draft no longer has (faded, not part of the draft).
import { Position } from "@xyflow/react";
import { edgeOf, toFlow } from "./graph";
import type { LabelOf, Translate } from "./i18n";
import type { StatusInfo } from "../store/editorStore";
import type { ChangedNode, OutputSample, VersionDiff } from "../types/api";
import type { Catalog } from "../types/catalog";
import type { DiffMark, FlowEdge, FlowNode, Item, NodeStatus, Pinned, Problem, StoredNode } from "../types/graph";

export interface EditorDiff {
  number: number;
  marks: Record<string, DiffMark>;
  removed: StoredNode[];
  changed: (ChangedNode & { type?: string })[];
  edges: VersionDiff["edges"];
}

export function diffOf(number: number, result: VersionDiff, nodes: FlowNode[]): EditorDiff {
  const marks: Record<string, DiffMark> = {};
  for (const n of result.nodes.added) marks[n.id] = "added";
  for (const n of result.nodes.changed) if (Object.keys(n.changes).some((k) => k !== "position")) marks[n.id] = "changed";
  const typeOf = Object.fromEntries(nodes.map((n) => [n.id, n.data.ntype]));
  const changed = result.nodes.changed.map((n) => ({ ...n, type: typeOf[n.id] }));
  return { number, marks, removed: result.nodes.removed, changed, edges: result.edges };
}

export function problemsByNode(problems: Problem[]): Record<string, Problem[]> {
  const map: Record<string, Problem[]> = {};
  for (const p of problems) if (p.node_id) (map[p.node_id] = map[p.node_id] || []).push(p);
  return map;
}

interface DisplayNodesInput {
  nodes: FlowNode[];
  statuses: Record<string, StatusInfo>;
  problems: Record<string, Problem[]>;
  diff: EditorDiff | null;
  ghostSizes: Record<string, { width: number; height: number }>;
  pinned: Pinned;
  catalog: Catalog;
  t: Translate;
  labelOf: LabelOf;
}

export function displayNodes({ nodes, statuses, problems, diff, ghostSizes, pinned, catalog, t, labelOf }: DisplayNodesInput): FlowNode[] {
  const current = nodes.map((n): FlowNode => {
    const s = statuses[n.id];
    const status = s ? (s.status as NodeStatus) : undefined;
    const spec = catalog[n.data.ntype];
    const statusText = status ? `, ${t(`status:${status}`)}` : "";
    return {
      ...n,
      ariaLabel: `${n.data.name} (${spec ? labelOf(spec.label) : n.data.ntype})${statusText}`,
      data: {
        ...n.data,
        status,
        count: s ? s.count : undefined,
        problems: problems[n.id],
        diff: diff ? diff.marks[n.id] : undefined,
        pinned: !!pinned[n.id],
      },
    };
  });
  if (!diff) return current;
  const removedEdges = diff.edges.removed || [];
  const ghosts = toFlow({ nodes: diff.removed, edges: [] }).nodes.map(
    (n): FlowNode => ({
      ...n,
      id: `removed:${n.id}`,
      ...(ghostSizes[`removed:${n.id}`] ? { measured: ghostSizes[`removed:${n.id}`] } : {}),
      // Where its ports are until React Flow has measured it, so its removed connections are drawn either way.
      initialWidth: 180,
      initialHeight: 56,
      handles: removedEdges.flatMap((e) => [
        ...(e.source === n.id ? [{ id: e.source_port || "main", type: "source" as const, position: Position.Right, x: 176, y: 26, width: 8, height: 8 }] : []),
        ...(e.target === n.id ? [{ id: e.target_port || "main", type: "target" as const, position: Position.Left, x: -4, y: 26, width: 8, height: 8 }] : []),
      ]),
      draggable: false,
      selectable: false,
      connectable: false,
      focusable: false,
      data: { ...n.data, diff: "removed" },
    }),
  );
  return [...current, ...ghosts];
}

/**
 * Whether items went along a connection in the last test run: its step succeeded and sent items out of that port
 * (per the port counts of its output sample), or, before the sample is read, the step at its other end ran. An IF's
 * branch that no item took is therefore not drawn as done.
 */
export function edgeTaken(edge: FlowEdge, statuses: Record<string, StatusInfo>, outputs: Record<string, OutputSample> = {}): boolean {
  const s = statuses[edge.source];
  if (!s || s.status !== "success") return false;
  const sample = outputs[edge.source];
  if (sample && Object.keys(sample).length) {
    const port = sample[edge.sourceHandle || "main"];
    return !!port && (port.count ?? (port.items || []).length) > 0;
  }
  return !!statuses[edge.target];
}

export function displayEdges(
  edges: FlowEdge[],
  nodes: FlowNode[],
  statuses: Record<string, StatusInfo>,
  diff: EditorDiff | null,
  outputs: Record<string, OutputSample> = {},
): FlowEdge[] {
  const current = edges.map((e) => {
    const s = statuses[e.source];
    const added = !!diff && diff.edges.added.some((x) => x.source === e.source && x.target === e.target);
    return { ...e, animated: !!s && s.status === "running", className: [edgeTaken(e, statuses, outputs) ? "done" : "", added ? "diff-added" : ""].join(" ") };
  });
  if (!diff) return current;
  // Removed connections are drawn dashed and faded between where their ends are (or were, for removed steps).
  const gone = new Set(diff.removed.map((n) => n.id));
  const present = new Set(nodes.map((n) => n.id));
  const end = (id: string) => (gone.has(id) ? `removed:${id}` : present.has(id) ? id : null);
  const removed: FlowEdge[] = [];
  for (const e of diff.edges.removed || []) {
    const source = end(e.source);
    const target = end(e.target);
    if (!source || !target) continue;
    const edge = edgeOf(source, e.source_port || "main", target, e.target_port || "main");
    removed.push({ ...edge, id: `removed:${edge.id}`, selectable: false, focusable: false, deletable: false, className: "diff-removed" });
  }
  return [...current, ...removed];
}

/** What the side panel shows as a step's output: its pinned data as soon as it is pinned, else its last test output. */
export function shownOutput(output: OutputSample | undefined, pinned: Item[] | undefined): OutputSample | null {
  if (pinned) return { main: { items: pinned, count: pinned.length } };
  return output || null;
}
