// The assistant panel's pure logic: what the server answers for a turn, and the comparison of the flow before a
// turn with the flow it proposes (the same shape as a version comparison, so the canvas draws it the same way).
import type { VersionDiff } from "../types/api";
import type { Problem, StoredGraph, StoredNode } from "../types/graph";

export type TurnState = "proposed" | "applied" | "discarded" | "undone";

export interface Missing {
  code: "connect" | "fill" | "unmapped" | "no_steps" | "problem";
  message: string;
  node_id?: string | null;
  credential_type?: string;
  parameter?: string;
  suggested_types?: string[];
}

export interface Change {
  action: "added" | "changed" | "removed";
  node_id: string;
  type: string;
  name: string;
}

export interface Turn {
  id: number;
  created_at: string;
  prompt: string;
  message: string;
  notice: string;
  engine: "offline" | "claude";
  graph_before: StoredGraph | null;
  graph: StoredGraph;
  changes: Change[];
  missing: Missing[];
  state: TurnState;
}

const EMPTY: StoredGraph = { nodes: [], edges: [] };

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a === undefined ? null : a) === JSON.stringify(b === undefined ? null : b);
}

const edgeKey = (e: StoredGraph["edges"][number]) => `${e.source}:${e.source_port || "main"}>${e.target}:${e.target_port || "main"}`;

/** Steps added, changed and removed from `before` to `after`, and connections added and removed. */
export function graphDiff(before: StoredGraph | null | undefined, after: StoredGraph): VersionDiff {
  const old = new Map<string, StoredNode>(((before || EMPTY).nodes || []).map((n) => [n.id, n]));
  const now = new Map<string, StoredNode>((after.nodes || []).map((n) => [n.id, n]));
  const added: StoredNode[] = [];
  const changed: VersionDiff["nodes"]["changed"] = [];
  for (const [id, node] of now) {
    const was = old.get(id);
    if (!was) {
      added.push(node);
      continue;
    }
    const changes: Record<string, unknown> = {};
    for (const key of ["type", "name", "parameters", "settings", "position"] as const) {
      if (!same(was[key], node[key])) changes[key] = { from: was[key], to: node[key] };
    }
    if (Object.keys(changes).length) changed.push({ id, name: node.name || id, changes });
  }
  const removed = [...old.values()].filter((n) => !now.has(n.id));
  const oldEdges = new Set(((before || EMPTY).edges || []).map(edgeKey));
  const newEdges = new Set((after.edges || []).map(edgeKey));
  return {
    nodes: { added, removed, changed },
    edges: {
      added: (after.edges || []).filter((e) => !oldEdges.has(edgeKey(e))),
      removed: ((before || EMPTY).edges || []).filter((e) => !newEdges.has(edgeKey(e))),
    },
  };
}

/** Placeholders of a proposal drawn on its steps (as problem badges), by step id. */
export function placeholdersByNode(missing: Missing[]): Record<string, Problem[]> {
  const map: Record<string, Problem[]> = {};
  for (const m of missing) if (m.node_id) (map[m.node_id] = map[m.node_id] || []).push({ node_id: m.node_id, message: m.message, code: m.code });
  return map;
}

/** The turn whose proposal is on the canvas: the newest one still waiting for Apply or Discard. */
export function pendingTurn(turns: Turn[]): Turn | null {
  const last = turns[turns.length - 1];
  return last && last.state === "proposed" && last.changes.length > 0 ? last : null;
}

/** Only the newest applied turn can be undone exactly (a later turn was asked about the flow it made). */
export function undoableTurn(turns: Turn[]): Turn | null {
  for (let i = turns.length - 1; i >= 0; i -= 1) {
    if (turns[i].state === "applied") return turns[i];
    if (turns[i].state === "proposed" && turns[i].changes.length) return null;
  }
  return null;
}

/** Text Claude is writing, streamed over the live socket: one entry per model call, in call order. */
export interface Streamed {
  call: number;
  text: string;
}

/** The streamed text after one `assistant.delta` message: the piece is appended to its call's text (a call not seen
 * yet starts a new entry); `reset` (that call is retried) drops what the call had streamed. */
export function addDelta(streamed: Streamed[], call: number, text: string, reset = false): Streamed[] {
  const at = streamed.findIndex((entry) => entry.call === call);
  if (reset) return at < 0 ? streamed : streamed.filter((entry) => entry.call !== call);
  if (!text) return streamed;
  if (at < 0) return [...streamed, { call, text }].sort((a, b) => a.call - b.call);
  return streamed.map((entry, index) => (index === at ? { call, text: entry.text + text } : entry));
}
