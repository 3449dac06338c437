import type { NodeSpec } from "../types/catalog";

/** How well a step answers a palette search: its name first (whole, then its start, then anywhere), then its key,
 * then its description; 0 = not a match. With 60+ steps from connectors, "filter" must find the Filter step before
 * every step that merely mentions filtering. */
export function searchScore(spec: NodeSpec, query: string): number {
  const q = query.trim().toLowerCase();
  if (!q) return 1;
  const labels = [spec.label.en, spec.label.ko].map((text) => (text ?? "").toLowerCase());
  if (labels.some((label) => label === q)) return 6;
  if (labels.some((label) => label.startsWith(q))) return 5;
  if (labels.some((label) => label.split(/[\s()/·-]+/).some((word) => word.startsWith(q)))) return 4;
  if (labels.some((label) => label.includes(q))) return 3;
  if (spec.key.toLowerCase().includes(q)) return 2;
  return [spec.description.en, spec.description.ko].join(" ").toLowerCase().includes(q) ? 1 : 0;
}

/** The matching steps, best first (ties keep the catalog's order). */
export function searchSteps(specs: NodeSpec[], query: string): NodeSpec[] {
  return specs
    .map((spec, index) => ({ spec, index, score: searchScore(spec, query) }))
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((entry) => entry.spec);
}
