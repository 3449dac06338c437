import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { bootTimeZone, get, post } from "../lib/api";
import { formatWhen } from "../lib/dates";
import { useEditor } from "./context";
import type { EditorDiff } from "../lib/display";
import type { LabelOf, Translate } from "../lib/i18n";
import type { ImportResult, Version } from "../types/api";
import type { NodeSpec } from "../types/catalog";

const messageOf = (exc: unknown): string => (exc instanceof Error ? exc.message : String(exc));

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testid: string;
  wide?: boolean;
}

export function Dialog({ title, onClose, children, testid, wide }: DialogProps) {
  const { t } = useEditor();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Focus goes into the dialog and, when it closes, back to what opened it (the "more" menu, a button).
    const opener = document.activeElement;
    const first = ref.current && ref.current.querySelector<HTMLElement>("input, textarea, button, select");
    if (first) first.focus();
    return () => {
      // A menu entry that opened it is gone by now: its menu button takes the focus instead.
      const target = opener instanceof HTMLElement && opener !== document.body && opener.isConnected ? opener : document.querySelector<HTMLElement>("[data-dialog-return]");
      if (target && typeof target.focus === "function") target.focus();
    };
  }, []);
  // Tab and Shift+Tab go round inside the dialog instead of wandering onto the page behind it.
  const keepFocusInside = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== "Tab" || !ref.current) return;
    const focusable = [...ref.current.querySelectorAll<HTMLElement>("a[href], button, input, textarea, select, [tabindex]:not([tabindex='-1'])")].filter(
      (el) => !(el as HTMLButtonElement).disabled && el.offsetParent !== null,
    );
    if (!focusable.length) return;
    const [first, last] = [focusable[0], focusable[focusable.length - 1]];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };
  return (
    <div className="ez-overlay" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div
        className={`ez-dialog${wide ? " wide" : ""}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        ref={ref}
        data-testid={testid}
        onKeyDown={keepFocusInside}
      >
        <header>
          <h2>{title}</h2>
          <button type="button" className="ez-icon-button" onClick={onClose} aria-label={t("Close")}>
            ✕
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

export function PublishDialog({ onPublish, onClose }: { onPublish: (message: string) => Promise<boolean>; onClose: () => void }) {
  const { t } = useEditor();
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={t("Publish this flow")} onClose={onClose} testid="publish-dialog">
      <p>{t("Publishing makes this draft the version that triggers run. Say briefly what changed.")}</p>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          const ok = await onPublish(message);
          setBusy(false);
          if (ok) onClose();
        }}
      >
        <label className="ez-field">
          <span className="ez-field-label">{t("What changed?")}</span>
          <input type="text" value={message} maxLength={500} onChange={(event) => setMessage(event.target.value)} data-testid="publish-message" />
        </label>
        <div className="ez-row">
          <button type="submit" className="ez-button primary" disabled={busy} data-testid="publish-confirm">
            {t("Publish")}
          </button>
          <button type="button" className="ez-button" onClick={onClose}>
            {t("Cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

// "parameters.fields[0].value" in words: the field's label (and row), "moved", "name", "Step options".
function describeChanges(changes: Record<string, unknown>, spec: NodeSpec | undefined, t: Translate, labelOf: LabelOf): string {
  const out: string[] = [];
  for (const path of Object.keys(changes)) {
    let text;
    if (path === "position") text = t("moved");
    else if (path === "name") text = t("name");
    else if (path === "type" || path === "type_version") text = t("step type");
    else if (path.startsWith("settings.")) text = t("Step options");
    else {
      const match = /^parameters\.([^.[]+)(.*)$/.exec(path);
      const param = match && spec ? (spec.parameters || []).find((p) => p.name === match[1]) : null;
      text = param ? labelOf(param.label) : match ? match[1] : path;
      const row = match && /\[(\d+)\]/.exec(match[2]);
      if (row) text = `${text} (${t("row {n}").replace("{n}", String(Number(row[1]) + 1))})`;
    }
    if (!out.includes(text)) out.push(text);
  }
  return out.join(", ");
}

interface HistoryProps {
  flowApi: string;
  diff: EditorDiff | null;
  onDiff: (number: number | null) => void;
  onRestore: (number: number) => void;
  onClose: () => void;
}

export function HistoryPanel({ flowApi, diff, onDiff, onRestore, onClose }: HistoryProps) {
  const { t, catalog, labelOf } = useEditor();
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<Version[]>(`${flowApi}/versions`)
      .then(setVersions)
      .catch((exc: unknown) => setError(messageOf(exc)));
  }, [flowApi]);
  return (
    <Dialog title={t("Versions and changes")} onClose={onClose} testid="history">
      {error && <div className="ez-field-error">{error}</div>}
      {versions && versions.length === 0 && <p>{t("Nothing published yet. Publish to keep a version you can return to.")}</p>}
      {versions && versions.length > 0 && (
        <ul className="ez-versions">
          {versions.map((v) => (
            <li key={v.number} className={diff && diff.number === v.number ? "active" : ""} data-testid={`version-${v.number}`}>
              <div>
                <strong>
                  {t("Version")} {v.number}
                </strong>{" "}
                <span className="ez-muted">{formatWhen(v.created_at, bootTimeZone())}</span>
                <div>{v.message || <span className="ez-muted">{t("(no message)")}</span>}</div>
              </div>
              <div className="ez-row">
                <button type="button" className="ez-button" onClick={() => onDiff(diff && diff.number === v.number ? null : v.number)} data-testid={`diff-${v.number}`}>
                  {diff && diff.number === v.number ? t("Hide changes") : t("Show changes on the canvas")}
                </button>
                <button type="button" className="ez-button" onClick={() => onRestore(v.number)} data-testid={`restore-${v.number}`}>
                  {t("Restore into the draft")}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {diff && diff.changed.length > 0 && (
        <section className="ez-diff-details">
          <h3>{t("Changed steps")}</h3>
          <ul>
            {diff.changed.map((n) => (
              <li key={n.id}>
                <strong>{n.name}</strong>: <span title={Object.keys(n.changes).join(", ")}>{describeChanges(n.changes, n.type ? catalog[n.type] : undefined, t, labelOf)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </Dialog>
  );
}

export function ImportDialog({ onClose }: { onClose: () => void }) {
  const { t } = useEditor();
  const [text, setText] = useState("");
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={t("Import a flow")} onClose={onClose} testid="import-dialog" wide>
      <p>{t("Paste an EZFlow export or an n8n workflow (JSON), or choose a file. A new flow is created; this one stays as it is.")}</p>
      <input
        type="file"
        accept=".json,application/json"
        aria-label={t("Choose a file")}
        onChange={async (event) => {
          const file = event.target.files && event.target.files[0];
          if (file) setText(await file.text());
        }}
      />
      <textarea className="ez-mono" rows={10} value={text} onChange={(event) => setText(event.target.value)} aria-label="JSON" data-testid="import-text" />
      {error && <div className="ez-field-error" role="alert">{error}</div>}
      {result && (
        <div className="ez-import-result" data-testid="import-result">
          <p>
            {t("Imported as a new flow.")} <a href={`/flows/${result.flow.id}/edit/`}>{t("Open it")}</a>
          </p>
          {result.unsupported.length > 0 && (
            <>
              <p>{t("These steps are not supported and were kept as sticky notes:")}</p>
              <ul data-testid="import-unsupported">
                {result.unsupported.map((u, index) => (
                  <li key={index}>{typeof u === "string" ? u : `${u.name || ""} (${u.type || ""})`}</li>
                ))}
              </ul>
            </>
          )}
          {result.warnings.length > 0 && (
            <>
              <p>{t("Please check:")}</p>
              <ul>
                {result.warnings.map((w, index) => (
                  <li key={index}>{typeof w === "string" ? w : w.message || JSON.stringify(w)}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      <div className="ez-row">
        <button
          type="button"
          className="ez-button primary"
          data-testid="import-confirm"
          onClick={async () => {
            let data: unknown;
            try {
              data = JSON.parse(text);
            } catch {
              setError(t("This is not valid JSON. Check quotes, commas and brackets."));
              return;
            }
            try {
              setResult(await post<ImportResult>("/flows/import", data));
              setError(null);
            } catch (exc) {
              setError(messageOf(exc));
            }
          }}
        >
          {t("Import")}
        </button>
        <button type="button" className="ez-button" onClick={onClose}>
          {t("Close")}
        </button>
      </div>
    </Dialog>
  );
}

const SHORTCUTS = [
  ["Ctrl+Z", "Undo"],
  ["Ctrl+Shift+Z / Ctrl+Y", "Redo"],
  ["Ctrl+C / Ctrl+X / Ctrl+V", "Copy, cut, paste steps (also between flows and tabs)"],
  ["Ctrl+D", "Duplicate selected steps"],
  ["Delete", "Delete selected"],
  ["Ctrl+A", "Select everything"],
  ["Shift + drag", "Select an area"],
  ["Ctrl + click", "Add to the selection"],
  ["Ctrl+S", "Save now"],
  ["Ctrl+Enter", "Test flow"],
  ["Shift+L", "Tidy up"],
  ["F", "Fit the flow on screen"],
  ["/", "Search steps"],
  ["Tab, arrows", "Move between steps; move the selected step"],
  ["?", "Show this help"],
];

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const { t } = useEditor();
  return (
    <Dialog title={t("Keyboard shortcuts")} onClose={onClose} testid="help">
      <table className="ez-table">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{t(what)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="ez-hint">{t("Type {{ in a field to use data from earlier steps.")}</p>
    </Dialog>
  );
}
