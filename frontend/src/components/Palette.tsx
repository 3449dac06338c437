import { useMemo, useState, type RefObject } from "react";
import { useEditor } from "./context";
import { iconOf } from "./nodes";
import type { NodeSpec } from "../types/catalog";
import { searchScore, searchSteps } from "../lib/paletteSearch";

const CATEGORY_ORDER = ["trigger", "action", "data", "flow", "transform", "documents", "note"];
const rank = (category: string) => (CATEGORY_ORDER.includes(category) ? CATEGORY_ORDER.indexOf(category) : CATEGORY_ORDER.length);

interface Props {
  onAdd: (key: string) => void;
  searchRef: RefObject<HTMLInputElement>;
}

export default function Palette({ onAdd, searchRef }: Props) {
  const { catalogList, t, labelOf } = useEditor();
  const [query, setQuery] = useState("");
  const groups = useMemo(() => {
    const matches = searchSteps(catalogList, query);
    const byCategory: Record<string, NodeSpec[]> = {};
    for (const spec of matches) (byCategory[spec.category] = byCategory[spec.category] || []).push(spec);
    // Searching: the group holding the best match comes first (Enter adds it); browsing: the usual category order.
    const best = (category: string) => Math.max(...byCategory[category].map((spec) => searchScore(spec, query)));
    return Object.keys(byCategory)
      .sort((a, b) => best(b) - best(a) || rank(a) - rank(b))
      .map((category): [string, NodeSpec[]] => [category, byCategory[category]]);
  }, [catalogList, query]);

  return (
    <aside className="ez-palette" aria-label={t("Steps")} data-testid="palette">
      <input
        ref={searchRef}
        type="search"
        className="ez-palette-search"
        placeholder={t("Search steps…")}
        aria-label={t("Search steps")}
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter" && groups.length) onAdd(groups[0][1][0].key);
        }}
        data-testid="palette-search"
      />
      <p className="ez-hint">{t("Drag a step onto the canvas, or click it to add it after the selected step.")}</p>
      {groups.length === 0 && <p className="ez-empty">{t("No step matches your search.")}</p>}
      {groups.map(([category, specs]) => (
        <section key={category} className="ez-palette-group">
          <h3>{t(`category:${category}`)}</h3>
          <ul>
            {specs.map((spec) => (
              <li key={spec.key}>
                <button
                  type="button"
                  className={`ez-palette-item cat-${category}`}
                  draggable
                  onDragStart={(event) => {
                    event.dataTransfer.setData("application/x-ezflow-node", spec.key);
                    event.dataTransfer.effectAllowed = "move";
                  }}
                  onClick={() => onAdd(spec.key)}
                  title={labelOf(spec.description)}
                  data-testid={`palette-${spec.key}`}
                >
                  <span className="ez-palette-icon" aria-hidden="true">{iconOf(spec)}</span>
                  <span className="ez-palette-text">
                    <span className="ez-palette-label">{labelOf(spec.label)}</span>
                    <span className="ez-palette-desc">{labelOf(spec.description)}</span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </aside>
  );
}
