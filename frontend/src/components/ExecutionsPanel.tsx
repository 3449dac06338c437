// The flow's recent runs beside the canvas: newest first, live, with status, time and whether it was a test from the
// editor or a production run. Choosing one shows its data on the canvas (the debug view).
import { History, RefreshCw } from "lucide-react";
import { bootTimeZone } from "../lib/api";
import { formatWhen } from "../lib/dates";
import { isTestRun, runLabel } from "../lib/executions";
import type { Translate } from "../lib/i18n";
import type { Executions } from "../hooks/useExecutions";

interface Props {
  t: Translate;
  executions: Executions;
  onClose: () => void;
}

export function durationText(ms: number | null | undefined, t: Translate): string {
  if (ms === null || ms === undefined) return "";
  return ms < 1000 ? t("{n} ms").replace("{n}", String(ms)) : t("{n} s").replace("{n}", (ms / 1000).toFixed(1));
}

export default function ExecutionsPanel({ t, executions, onClose }: Props) {
  const { runs, loading, error, viewing, show, refresh } = executions;
  return (
    <aside className="ez-executions" aria-label={t("Runs of this flow")} data-testid="executions">
      <header className="ez-executions-head">
        <History size={16} aria-hidden="true" />
        <strong>{t("Runs of this flow")}</strong>
        <span className="ez-spacer" />
        <button type="button" className="ez-icon-button" onClick={() => refresh()} aria-label={t("Refresh")} title={t("Refresh")} disabled={loading}>
          <RefreshCw size={14} aria-hidden="true" />
        </button>
        <button type="button" className="ez-icon-button" onClick={onClose} aria-label={t("Close")}>
          ✕
        </button>
      </header>
      {error && (
        <div className="ez-field-error" role="alert">
          {error}
        </div>
      )}
      {!error && !loading && runs.length === 0 && <p className="ez-hint ez-executions-empty">{t("No runs yet. Test the flow, or publish it and switch it on.")}</p>}
      <ul className="ez-executions-list">
        {runs.map((run) => {
          const test = isTestRun(run);
          const current = !!viewing && viewing.run.id === run.id;
          return (
            <li key={run.id}>
              <button
                type="button"
                className={`ez-execution ${run.status}${current ? " current" : ""}`}
                aria-current={current ? "true" : undefined}
                onClick={() => show(run.id)}
                data-testid={`execution-${run.id}`}
                data-status={run.status}
              >
                <span className={`ez-execution-status ${run.status}`}>{t(`execution:${run.status}`)}</span>
                <span className="ez-execution-id">{runLabel(run)}</span>
                <span className={`ez-execution-kind${test ? " test" : ""}`}>{test ? t("Test") : t("Production")}</span>
                <span className="ez-execution-when">
                  {formatWhen(run.created_at, bootTimeZone())}
                  {run.duration_ms !== null && run.duration_ms !== undefined && ` · ${durationText(run.duration_ms, t)}`}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
