// The fields of test data as the input/output panel shows them (schema view) and drags them onto a step's fields:
// each with the expression path that reads it (`json.customer.email`, `json["full name"]`), its type and an example.
import { partialAt } from "./expressions";
import type { Item } from "../types/graph";

/** The drag-and-drop type carrying a field's expression path from the data panel to a parameter. */
export const FIELD_DRAG_TYPE = "application/x-ezflow-field";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The expression path of a key under a prefix, in the same form the autocomplete offers. */
export function childPath(prefix: string, key: string): string {
  return IDENTIFIER.test(key) ? `${prefix}.${key}` : `${prefix}[${JSON.stringify(key)}]`;
}

export type FieldKind = "text" | "number" | "boolean" | "object" | "list" | "empty";

export interface SchemaRow {
  path: string;
  name: string;
  depth: number;
  kind: FieldKind;
  example: string;
}

export function kindOf(value: unknown): FieldKind {
  if (value === null || value === undefined) return "empty";
  if (Array.isArray(value)) return "list";
  if (typeof value === "object") return "object";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  return "text";
}

function example(value: unknown): string {
  const kind = kindOf(value);
  if (kind === "object") return "";
  if (kind === "list") return `[${(value as unknown[]).length}]`;
  if (kind === "empty") return value === null ? "null" : "";
  const text = String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/**
 * The fields of a list of items, nested up to `maxDepth`, in the order they first appear; a field's type and example
 * come from the first item that has a value for it.
 */
export function schemaOf(items: Item[] | null | undefined, maxDepth = 4, limit = 300): SchemaRow[] {
  const rows: SchemaRow[] = [];
  const index = new Map<string, SchemaRow>();
  const children = new Map<string, SchemaRow[]>();
  const walk = (value: unknown, prefix: string, depth: number) => {
    if (!value || typeof value !== "object" || Array.isArray(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      const path = childPath(prefix, key);
      let row = index.get(path);
      if (!row) {
        if (rows.length >= limit) return;
        row = { path, name: key, depth, kind: kindOf(inner), example: example(inner) };
        index.set(path, row);
        rows.push(row);
        children.set(prefix, [...(children.get(prefix) || []), row]);
      } else if (row.kind === "empty" && kindOf(inner) !== "empty") {
        row.kind = kindOf(inner);
        row.example = example(inner);
      }
      if (depth + 1 < maxDepth) walk(inner, path, depth + 1);
    }
  };
  for (const item of items || []) walk(item, "json", 0);
  // Children follow their parent even when a later item added them.
  const ordered: SchemaRow[] = [];
  const add = (prefix: string) => {
    for (const row of children.get(prefix) || []) {
      ordered.push(row);
      add(row.path);
    }
  };
  add("json");
  return ordered;
}

/**
 * Where a drop at `x` pixels from the text's left edge lands: the character boundary nearest to it, given a function
 * measuring the width of a piece of text.
 */
export function offsetAtX(text: string, x: number, measure: (piece: string) => number): number {
  if (x <= 0) return 0;
  let previous = 0;
  for (let i = 1; i <= text.length; i += 1) {
    const width = measure(text.slice(0, i));
    if (width >= x) return x - previous < width - x ? i - 1 : i;
    previous = width;
  }
  return text.length;
}

/**
 * The text with a dropped field put in at `offset`: `{{ field }}`, or the bare path when the drop lands inside an
 * open `{{ … }}` (so an expression being written gets the field, not a second pair of braces).
 */
export function dropField(text: string, offset: number, field: string): { text: string; caret: number } {
  const at = Math.max(0, Math.min(offset, text.length));
  const inside = partialAt(text, at) !== null;
  const before = text.slice(0, at);
  const after = text.slice(at);
  let piece = inside ? field : `{{ ${field} }}`;
  if (inside) {
    if (before && !/[\s{(\[,+\-*/]$/.test(before)) piece = ` ${piece}`;
    if (after && !/^[\s)\],+\-*/]/.test(after)) piece = `${piece} `;
  }
  return { text: before + piece + after, caret: at + piece.length };
}
