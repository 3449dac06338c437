import { useState } from "react";
import { useEditor } from "./context";
import type { Item } from "../types/graph";

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// Items as a table (one column per top-level field) or as JSON.
interface Props {
  title: string;
  items: Item[] | null | undefined;
  count?: number | null;
  testid: string;
}

export default function DataView({ title, items, count, testid }: Props) {
  const { t } = useEditor();
  const [mode, setMode] = useState<"table" | "json">("table");
  const list = Array.isArray(items) ? items : [];
  const columns = [...new Set(list.flatMap((item) => (item && typeof item === "object" ? Object.keys(item) : [])))].slice(0, 12);
  return (
    <section className="ez-data" data-testid={testid}>
      <header>
        <h4>
          {title} <span className="ez-count">({(count ?? list.length) === 1 ? t("1 item") : t("{n} items").replace("{n}", String(count ?? list.length))})</span>
        </h4>
        <div className="ez-tabs" role="tablist">
          {(["table", "json"] as const).map((m) => (
            <button key={m} type="button" role="tab" aria-selected={mode === m} className={mode === m ? "active" : ""} onClick={() => setMode(m)}>
              {m === "table" ? t("Table") : "JSON"}
            </button>
          ))}
        </div>
      </header>
      {list.length === 0 ? (
        <p className="ez-empty">{t("No items.")}</p>
      ) : mode === "json" ? (
        <pre className="ez-mono ez-json">{JSON.stringify(list, null, 2)}</pre>
      ) : (
        <div className="ez-table-wrap">
          <table className="ez-table">
            <thead>
              <tr>
                <th>#</th>
                {columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {list.map((item, index) => (
                <tr key={index}>
                  <td>{index + 1}</td>
                  {columns.map((c) => (
                    <td key={c}>{cell(item ? item[c] : "")}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
