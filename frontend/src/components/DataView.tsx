import { useEffect, useMemo, useState, type ReactNode } from "react";
import { useEditor } from "./context";
import { childPath, FIELD_DRAG_TYPE, schemaOf } from "../lib/dataFields";
import type { DragEvent } from "react";
import type { Item } from "../types/graph";
import { canPreview, fileLinks, fileRefsIn, humanSize, isFileRef, type FileLink, type FileRef } from "../lib/files";

type Mode = "table" | "json" | "schema";
const MODES: Mode[] = ["table", "json", "schema"];

// A field dragged from here onto a step's parameter puts its expression there (see ExpressionInput).
function startFieldDrag(event: DragEvent, path: string) {
  event.dataTransfer.setData(FIELD_DRAG_TYPE, path);
  event.dataTransfer.setData("text/plain", `{{ ${path} }}`);
  event.dataTransfer.effectAllowed = "copy";
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// A stored file in a table cell: name (a download link once the server gave one), size and type, a preview of images
// and of PDFs' first page (the server's preview_url).
export function FileChip({ file, link }: { file: FileRef; link?: FileLink }) {
  const { t } = useEditor();
  const facts = `${humanSize(file.size)} · ${file.mime_type}`;
  return (
    <span className="ez-file" data-testid="file-chip" title={facts}>
      {link && canPreview(file.mime_type, link) && (
        <a href={link.url} target="_blank" rel="noopener noreferrer">
          <img className="ez-file-preview" src={link.preview_url || link.url} alt={file.name} loading="lazy" />
        </a>
      )}
      {link ? (
        <a href={`${link.url}?download=1`} download={file.name} data-testid="file-download">
          {file.name}
        </a>
      ) : (
        <span className="ez-file-name">{file.name}</span>
      )}{" "}
      <span className="ez-count">({facts})</span>
      {!link && <span className="ez-hint"> {t("not stored")}</span>}
    </span>
  );
}

function useFileLinks(items: Item[]): Record<string, FileLink> | null {
  const ids = useMemo(() => fileRefsIn(items).map((ref) => ref.$file), [items]);
  const key = ids.join(",");
  const [links, setLinks] = useState<Record<string, FileLink> | null>(null);
  useEffect(() => {
    if (!ids.length) return;
    let live = true;
    fileLinks(ids).then(
      (found) => live && setLinks(found),
      () => live && setLinks({}),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return links;
}

function cellContent(value: unknown, links: Record<string, FileLink> | null): ReactNode {
  if (isFileRef(value)) return <FileChip file={value} link={links?.[value.$file]} />;
  if (Array.isArray(value) && value.length > 0 && value.every(isFileRef)) {
    return value.map((file) => <FileChip key={file.$file} file={file} link={links?.[file.$file]} />);
  }
  return cell(value);
}

// Items as a table (one column per top-level field), as JSON, or as their schema (every field, nested, with its type
// and an example). With `dragFields`, the table's columns and the schema's fields can be dragged onto a parameter.
interface Props {
  title: string;
  items: Item[] | null | undefined;
  count?: number | null;
  testid: string;
  dragFields?: boolean;
}

export default function DataView({ title, items, count, testid, dragFields }: Props) {
  const { t } = useEditor();
  const [mode, setMode] = useState<Mode>("table");
  const list = Array.isArray(items) ? items : [];
  const links = useFileLinks(list);
  const columns = [...new Set(list.flatMap((item) => (item && typeof item === "object" ? Object.keys(item) : [])))].slice(0, 12);
  return (
    <section className="ez-data" data-testid={testid}>
      <header>
        <h4>
          {title} <span className="ez-count">({(count ?? list.length) === 1 ? t("1 item") : t("{n} items").replace("{n}", String(count ?? list.length))})</span>
        </h4>
        <div className="ez-tabs" role="tablist">
          {MODES.map((m) => (
            <button
              key={m}
              type="button"
              role="tab"
              aria-selected={mode === m}
              className={mode === m ? "active" : ""}
              onClick={() => setMode(m)}
              data-testid={`${testid}-view-${m}`}
            >
              {m === "table" ? t("Table") : m === "schema" ? t("Schema") : "JSON"}
            </button>
          ))}
        </div>
      </header>
      {list.length === 0 ? (
        <p className="ez-empty">{t("No items.")}</p>
      ) : mode === "json" ? (
        <pre className="ez-mono ez-json" data-testid={`${testid}-json`}>{JSON.stringify(list, null, 2)}</pre>
      ) : mode === "schema" ? (
        <ul className="ez-schema" data-testid={`${testid}-schema`}>
          {schemaOf(list).map((row) => (
            <li
              key={row.path}
              style={{ paddingLeft: `${row.depth * 14}px` }}
              draggable={dragFields}
              onDragStart={dragFields ? (event) => startFieldDrag(event, row.path) : undefined}
              className={dragFields ? "ez-draggable" : undefined}
              title={dragFields ? t("Drag onto a field to use it there") : row.path}
              data-testid={`${testid}-field-${row.path}`}
            >
              <span className={`ez-kind ez-kind-${row.kind}`}>{t(`kind:${row.kind}`)}</span> <span className="ez-field-name">{row.name}</span>
              {row.example && <span className="ez-example"> {row.example}</span>}
            </li>
          ))}
        </ul>
      ) : (
        <div className="ez-table-wrap">
          <table className="ez-table">
            <thead>
              <tr>
                <th>#</th>
                {columns.map((c) => (
                  <th
                    key={c}
                    draggable={dragFields}
                    onDragStart={dragFields ? (event) => startFieldDrag(event, childPath("json", c)) : undefined}
                    className={dragFields ? "ez-draggable" : undefined}
                    title={dragFields ? t("Drag onto a field to use it there") : undefined}
                    data-testid={`${testid}-column-${c}`}
                  >
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {list.map((item, index) => (
                <tr key={index}>
                  <td>{index + 1}</td>
                  {columns.map((c) => (
                    <td key={c}>{cellContent(item ? item[c] : "", links)}</td>
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
