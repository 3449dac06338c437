// {{ expressions }} in step fields: which data reaches a step, the field paths offered while typing, and the text
// edits of the autocomplete. Pure functions over the editor's graph and its last test data.
import type { OutputSample } from "../types/api";
import type { FlowEdge, FlowNode, Item, Pinned } from "../types/graph";

export interface RunData {
  nodes: FlowNode[];
  edges: FlowEdge[];
  pinned: Pinned;
  outputs: Record<string, OutputSample>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function fieldPaths(value: unknown, prefix: string, depth: number, out: string[]): void {
  if (out.length > 200) return;
  out.push(prefix);
  if (depth >= 3 || !value || typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, inner] of Object.entries(value)) {
    const part = IDENTIFIER.test(key) ? `${prefix}.${key}` : `${prefix}[${JSON.stringify(key)}]`;
    fieldPaths(inner, part, depth + 1, out);
  }
}

/** The items a step produced last (pinned data wins), on one port or its main one. */
export function itemsOf(data: RunData, id: string, port?: string | null): Item[] | null {
  if (data.pinned[id]) return data.pinned[id];
  const sample = data.outputs[id];
  if (!sample) return null;
  const chosen = (port && sample[port]) || sample.main || Object.values(sample)[0];
  return chosen ? chosen.items || [] : null;
}

// What reaches a step: the last output of the step before it, or, when that step has not run yet, what reached
// that step (most steps pass fields on), so expressions can be previewed before everything was tested.
export function inputOf(data: RunData, id: string, depth = 0): Item[] | null {
  const incoming = data.edges.filter((e) => e.target === id);
  for (const e of incoming) {
    const items = itemsOf(data, e.source, e.sourceHandle);
    if (items) return items;
  }
  if (depth < 10) {
    for (const e of incoming) {
      const items = inputOf(data, e.source, depth + 1);
      if (items) return items;
    }
  }
  return null;
}

/** Every step a step's input can come from, however far back. */
export function ancestors(data: Pick<RunData, "nodes" | "edges">, id: string): FlowNode[] {
  const seen = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const current = stack.pop();
    for (const edge of data.edges)
      if (edge.target === current && !seen.has(edge.source)) {
        seen.add(edge.source);
        stack.push(edge.source);
      }
  }
  return data.nodes.filter((x) => seen.has(x.id));
}

/** The paths offered by autocomplete in a step's fields: its input, earlier steps by name, variables, built-ins. */
export function expressionFields(data: RunData, nodeId: string, variableNames: string[]): string[] {
  const out: string[] = [];
  const input = inputOf(data, nodeId);
  if (input && input[0]) for (const [key, value] of Object.entries(input[0])) fieldPaths(value, `json.${key}`, 1, out);
  for (const a of ancestors(data, nodeId)) {
    const items = itemsOf(data, a.id);
    if (items && items[0])
      for (const [key, value] of Object.entries(items[0])) fieldPaths(value, `nodes[${JSON.stringify(a.data.name)}].json.${key}`, 1, out);
  }
  out.push(...variableNames.map((name) => `vars.${name}`), "index", "now()", "today()", "flow.name", "run.id");
  return [...new Set(out)];
}

// The characters of a field path being typed (json.customer["e-mail"].name, nodes["Orders"].json.id).
const PATH_BEFORE = /[\w$.[\]"]*$/;
const PATH_AFTER = /^[\w$.[\]"]*/;

/**
 * The field path typed at the cursor when the cursor is anywhere inside a `{{ … }}` (closed or not), "" right after
 * an operator or a space there, or null when the cursor is outside every expression.
 */
export function partialAt(text: string, cursor: number): string | null {
  const before = text.slice(0, cursor);
  const openAt = before.lastIndexOf("{{");
  if (openAt < 0 || openAt < before.lastIndexOf("}}")) return null;
  const inside = before.slice(openAt + 2);
  const match = PATH_BEFORE.exec(inside);
  return match ? match[0] : "";
}

export function suggestionsFor(fields: string[], partial: string | null, limit = 30): string[] {
  const wanted = partial === null ? null : partial.toLowerCase();
  return fields.filter((f) => wanted === null || f.toLowerCase().includes(wanted)).slice(0, limit);
}

/**
 * The text with `field` put in at the cursor: inside an expression it replaces the path being typed there (the rest of
 * the expression stays, and an unclosed one is closed); outside, it goes in as a new "{{ field }}".
 */
export function insertField(text: string, cursor: number, partial: string | null, field: string): { text: string; caret: number } {
  const inside = partial !== null && partialAt(text, cursor) !== null;
  if (!inside) {
    const piece = `{{ ${field} }}`;
    return { text: text.slice(0, cursor) + piece + text.slice(cursor), caret: cursor + piece.length };
  }
  const typed = partialAt(text, cursor) || "";
  const start = cursor - typed.length;
  const end = cursor + (PATH_AFTER.exec(text.slice(cursor)) || [""])[0].length;
  const before = text.slice(0, start);
  const after = text.slice(end);
  const piece = (before.endsWith("{{") ? " " : "") + field;
  const closeAt = after.indexOf("}}");
  const nextOpen = after.indexOf("{{");
  const closed = closeAt >= 0 && (nextOpen < 0 || closeAt < nextOpen);
  if (!closed) {
    const closing = `${piece} }}`;
    return { text: before + closing + after, caret: before.length + closing.length };
  }
  if (after.trimStart().startsWith("}}")) {
    const rest = after.trimStart();
    const done = `${piece} }}`;
    return { text: before + done + rest.slice(2), caret: before.length + done.length };
  }
  return { text: before + piece + after, caret: before.length + piece.length };
}
