// The editor's top bar: flow name, save state, undo/redo, tidy up, test, publish, on/off and the "more" menu.
import { History, Sparkles } from "lucide-react";
import type { Translate } from "../lib/i18n";
import type { SaveState } from "../store/editorStore";
import type { Boot, FlowInfo } from "../types/api";

export type DialogName = "more" | "publish" | "history" | "import" | "help";

interface Props {
  t: Translate;
  boot: Pick<Boot, "flow_url">;
  flow: FlowInfo;
  readOnly: boolean;
  saveState: SaveState;
  testing: boolean;
  hasWebhook: boolean;
  paletteOpen: boolean;
  assistantOpen: boolean;
  setAssistantOpen(open: boolean): void;
  executionsOpen: boolean;
  setExecutionsOpen(open: boolean): void;
  setPaletteOpen: (open: boolean) => void;
  dialog: DialogName | null;
  setDialog: (dialog: DialogName | null) => void;
  renameFlow: (name: string) => void;
  undo: () => void;
  redo: () => void;
  autoLayout: () => void;
  runFlow: () => void;
  setActive: (active: boolean) => void;
  copyWebhook: () => void;
  exportFlow: () => void;
  copy: (cut: boolean) => void;
  paste: () => void;
  duplicate: () => void;
  deleteSelected: () => void;
}

export default function Toolbar(props: Props) {
  const { t, boot, flow, readOnly, saveState, testing, hasWebhook, paletteOpen, setPaletteOpen, dialog, setDialog } = props;
  const { renameFlow, undo, redo, autoLayout, runFlow, setActive, copyWebhook, exportFlow, copy, paste, duplicate, deleteSelected } = props;
  const saveLabel = {
    saved: t("All changes saved"),
    dirty: t("Unsaved changes…"),
    saving: t("Saving…"),
    error: t("Not saved"),
    stale: t("Not saved: changed elsewhere"),
  }[saveState];
  return (
    <div className="ez-toolbar" role="toolbar" aria-label={t("Flow actions")}>
      {!readOnly && (
        <button type="button" className="ez-button ez-palette-toggle" onClick={() => setPaletteOpen(!paletteOpen)} aria-expanded={paletteOpen}>
          ☰ {t("Steps")}
        </button>
      )}
      <input
        className="ez-flow-name"
        defaultValue={flow.name}
        aria-label={t("Flow name")}
        disabled={readOnly}
        onBlur={(event) => event.target.value.trim() && event.target.value !== flow.name && renameFlow(event.target.value.trim())}
        onKeyDown={(event) => event.key === "Enter" && event.currentTarget.blur()}
        data-testid="flow-name"
      />
      <span className={`ez-save-state ${saveState}`} role="status" data-testid="save-state">
        {saveLabel}
      </span>
      <span className="ez-spacer" />
      <button
        type="button"
        className={`ez-button${props.executionsOpen ? " active" : ""}`}
        onClick={() => props.setExecutionsOpen(!props.executionsOpen)}
        aria-expanded={props.executionsOpen}
        title={t("Runs of this flow")}
        data-testid="executions-toggle"
      >
        <History size={14} aria-hidden="true" />
        <span className="ez-label"> {t("Runs")}</span>
      </button>
      <button
        type="button"
        className={`ez-button${props.assistantOpen ? " active" : ""}`}
        onClick={() => props.setAssistantOpen(!props.assistantOpen)}
        aria-expanded={props.assistantOpen}
        data-testid="assistant-toggle"
      >
        <Sparkles size={14} aria-hidden="true" /> {t("Assistant")}
      </button>
      {!readOnly && (
        <>
          <button type="button" className="ez-button" onClick={undo} title={`${t("Undo")} (Ctrl+Z)`} data-testid="undo">
            ↶<span className="ez-label"> {t("Undo")}</span>
          </button>
          <button type="button" className="ez-button" onClick={redo} title={`${t("Redo")} (Ctrl+Shift+Z)`} data-testid="redo">
            ↷<span className="ez-label"> {t("Redo")}</span>
          </button>
          <button type="button" className="ez-button" onClick={autoLayout} title={`${t("Tidy up")} (Shift+L)`} data-testid="auto-layout">
            ⇆<span className="ez-label"> {t("Tidy up")}</span>
          </button>
          <button type="button" className="ez-button primary" onClick={runFlow} disabled={testing} data-testid="run-test" title="Ctrl+Enter">
            ▶ {testing ? t("Testing…") : t("Test flow")}
          </button>
          <button type="button" className="ez-button" onClick={() => setDialog("publish")} data-testid="publish">
            ⬆ {t("Publish")}
          </button>
        </>
      )}
      <label className="ez-active-toggle" title={flow.published_version ? "" : t("Publish the flow before turning it on.")}>
        <input type="checkbox" checked={!!flow.active} disabled={readOnly} onChange={(event) => setActive(event.target.checked)} data-testid="active-toggle" />
        <span>{flow.active ? t("On") : t("Off")}</span>
      </label>
      <div className="ez-menu">
        <button type="button" className="ez-button" onClick={() => setDialog(dialog === "more" ? null : "more")} aria-haspopup="menu" aria-expanded={dialog === "more"} data-testid="more" data-dialog-return>
          ⋯
        </button>
        {dialog === "more" && (
          <div className="ez-menu-list" role="menu">
            <button type="button" role="menuitem" onClick={() => setDialog("history")} data-testid="open-history">
              {t("Versions and changes")}
            </button>
            {hasWebhook && (
              <button type="button" role="menuitem" onClick={() => { copyWebhook(); setDialog(null); }} data-testid="copy-webhook">
                {t("Copy webhook address")}
              </button>
            )}
            <button type="button" role="menuitem" onClick={() => { exportFlow(); setDialog(null); }} data-testid="export">
              {t("Export (JSON)")}
            </button>
            {!readOnly && (
              <button type="button" role="menuitem" onClick={() => setDialog("import")} data-testid="open-import">
                {t("Import (EZFlow or n8n JSON)")}
              </button>
            )}
            {!readOnly && (
              <>
                <button type="button" role="menuitem" onClick={() => { copy(false); setDialog(null); }}>{t("Copy selected steps")}</button>
                <button type="button" role="menuitem" onClick={() => { paste(); setDialog(null); }}>{t("Paste steps")}</button>
                <button type="button" role="menuitem" onClick={() => { duplicate(); setDialog(null); }}>{t("Duplicate selected steps")}</button>
                <button type="button" role="menuitem" onClick={() => { deleteSelected(); setDialog(null); }}>{t("Delete selected")}</button>
              </>
            )}
            <button type="button" role="menuitem" onClick={() => setDialog("help")} data-testid="open-help">
              {t("Keyboard shortcuts")} (?)
            </button>
            <a role="menuitem" href={boot.flow_url}>{t("Flow overview and runs")}</a>
          </div>
        )}
      </div>
    </div>
  );
}
