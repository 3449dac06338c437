import { useEffect, useMemo, useState, type ReactNode } from "react";
import { useEditor } from "./context";
import type { Item } from "../types/graph";
import { canPreview, fileLinks, fileRefsIn, humanSize, isFileRef, type FileLink, type FileRef } from "../lib/files";

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// A stored file in a table cell: name (a download link once the server gave one), size and type, a preview of images.
export function FileChip({ file, link }: { file: FileRef; link?: FileLink }) {
  const { t } = useEditor();
  const facts = `${humanSize(file.size)} · ${file.mime_type}`;
  return (
    <span className="ez-file" data-testid="file-chip" title={facts}>
      {link && canPreview(file.mime_type) && (
        <a href={link.url} target="_blank" rel="noopener noreferrer">
          <img className="ez-file-preview" src={link.url} alt={file.name} loading="lazy" />
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
  const links = useFileLinks(list);
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
