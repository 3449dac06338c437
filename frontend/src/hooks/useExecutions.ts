// The flow's recent runs beside the canvas (newest first, kept up to date by the flow's live channel) and the debug
// view: one run's data on the canvas, and copying it into the editor to test again with the same input.
import { useCallback, useEffect, useRef, useState } from "react";
import { get } from "../lib/api";
import type { ErrorText } from "../lib/errors";
import { failedNodeOf, mergeRuns, replayItems, runView } from "../lib/executions";
import type { Translate } from "../lib/i18n";
import type { LiveMessage } from "../lib/live";
import { editorState, type StatusInfo } from "../store/editorStore";
import type { OutputSample, Run, RunPage } from "../types/api";
import type { ShowToast } from "./useToasts";

interface Options {
  flowId: number;
  loaded: boolean;
  toast: ShowToast;
  errorText: ErrorText;
  t: Translate;
  /** Called with the step to show after a run was opened (its failed step, if any). */
  onShown?: (run: Run, failedNodeId: string | null) => void;
}

export interface Viewing {
  run: Run;
  missing: string[];
}

export interface Executions {
  open: boolean;
  setOpen(open: boolean): void;
  runs: Run[];
  loading: boolean;
  error: string | null;
  viewing: Viewing | null;
  refresh(): Promise<void>;
  show(runId: number): Promise<void>;
  /** Back to the draft: the canvas shows what it showed before the run was opened. */
  leave(): void;
  /** Pins what the run's trigger received and keeps the run's data on the canvas for editing. */
  copyToEditor(): void;
  onLive(message: LiveMessage): void;
}

interface Saved {
  statuses: Record<string, StatusInfo>;
  outputs: Record<string, OutputSample>;
  runInfo: Run | null;
}

export function useExecutions({ flowId, loaded, toast, errorText, t, onShown }: Options): Executions {
  const [open, setOpen] = useState(false);
  const [runs, setRuns] = useState<Run[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [viewing, setViewing] = useState<Viewing | null>(null);
  const saved = useRef<Saved | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onShownRef = useRef(onShown);
  onShownRef.current = onShown;

  const refresh = useCallback(async () => {
    setLoading(true);
    try {
      const page = await get<RunPage>(`/runs?flow=${flowId}`);
      setRuns(mergeRuns([], page.results));
      setError(null);
    } catch (exc) {
      setError(errorText(exc));
    } finally {
      setLoading(false);
    }
  }, [flowId, errorText]);

  useEffect(() => {
    if (open && loaded) refresh();
  }, [open, loaded, refresh]);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const onLive = useCallback(
    (message: LiveMessage) => {
      if (!open) return;
      const ours = (message.type || "").startsWith("run.") && message.flow_id === flowId;
      const rejoined = message.type === "subscribed" && message.page === "flow" && message.id === flowId;
      if (!ours && !rejoined) return;
      // A new run shows at once; its later changes come with the list read a moment later (one read per burst).
      if (ours && message.run_id && message.status)
        setRuns((current) =>
          current.some((r) => r.id === message.run_id)
            ? current.map((r) => (r.id === message.run_id ? { ...r, status: message.status as Run["status"] } : r))
            : current,
        );
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => refresh(), 250);
    },
    [open, flowId, refresh],
  );

  const show = useCallback(
    async (runId: number) => {
      let run: Run;
      try {
        run = await get<Run>(`/runs/${runId}`);
      } catch (exc) {
        toast(errorText(exc), "error");
        return;
      }
      const store = editorState();
      if (!saved.current) saved.current = { statuses: store.statuses, outputs: store.outputs, runInfo: store.runInfo };
      const view = runView(run, store.nodes);
      store.setStatuses(() => view.statuses);
      store.setOutputs(() => view.outputs);
      store.setRunInfo(() => null);
      setViewing({ run, missing: view.missing });
      const failed = failedNodeOf(run);
      if (onShownRef.current) onShownRef.current(run, failed && store.nodes.some((n) => n.id === failed) ? failed : null);
    },
    [toast, errorText],
  );

  const leave = useCallback(() => {
    const store = editorState();
    const before = saved.current;
    saved.current = null;
    store.setStatuses(() => (before ? before.statuses : {}));
    store.setOutputs(() => (before ? before.outputs : {}));
    store.setRunInfo(() => (before ? before.runInfo : null));
    setViewing(null);
  }, []);

  const copyToEditor = useCallback(() => {
    if (!viewing) return;
    const store = editorState();
    const replay = replayItems(viewing.run, store.nodes, (ntype) => !!(store.catalog[ntype] && store.catalog[ntype].is_trigger));
    saved.current = null;
    setViewing(null);
    if (!replay) {
      toast(t("This run has no input data to copy."), "error");
      return;
    }
    store.setPin(replay.nodeId, replay.items);
    toast(t("This run's input is pinned on the trigger: “Test flow” runs again with it."));
  }, [viewing, toast, t]);

  return { open, setOpen, runs, loading, error, viewing, refresh, show, leave, copyToEditor, onLive };
}
