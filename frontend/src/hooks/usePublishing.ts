// Publishing and the flow as a whole: publish, switch on/off, rename, versions (compare on the canvas, restore),
// export, the webhook address.
import { useCallback, useState } from "react";
import { ApiError, get, patch, post } from "../lib/api";
import { diffOf, type EditorDiff } from "../lib/display";
import type { ErrorText } from "../lib/errors";
import type { Translate } from "../lib/i18n";
import { editorState, useEditorStore } from "../store/editorStore";
import type { FlowInfo, Version, VersionDiff } from "../types/api";
import type { StoredGraph } from "../types/graph";
import { validateFlow } from "./useAutosave";
import type { ShowToast } from "./useToasts";

interface Options {
  flowApi: string;
  flush: () => Promise<boolean>;
  setRevision: (revision: number) => void;
  closeDialog: () => void;
  toast: ShowToast;
  errorText: ErrorText;
  t: Translate;
}

export interface Publishing {
  diff: EditorDiff | null;
  webhookUrl: string;
  publish(message: string): Promise<boolean>;
  setActive(active: boolean): Promise<void>;
  renameFlow(name: string): Promise<void>;
  showDiff(number: number | null): Promise<void>;
  restoreVersion(number: number): Promise<void>;
  exportFlow(): Promise<void>;
  copyWebhook(): Promise<void>;
}

export function usePublishing({ flowApi, flush, setRevision, closeDialog, toast, errorText, t }: Options): Publishing {
  const [diff, setDiff] = useState<EditorDiff | null>(null);
  const flow = useEditorStore((s) => s.flow);

  const publish = useCallback(
    async (message: string) => {
      if (!(await flush())) return false;
      try {
        const version = await post<Version>(`${flowApi}/publish`, { message });
        editorState().patchFlow({ published_version: version.number });
        toast(t("Published as version {n}.").replace("{n}", String(version.number)));
        return true;
      } catch (exc) {
        const problems = exc instanceof ApiError && exc.body && exc.body.error ? exc.body.error.problems : undefined;
        if (problems) editorState().setProblems(problems);
        else validateFlow(flowApi);
        toast(errorText(exc), "error");
        return false;
      }
    },
    [flush, flowApi, toast, t, errorText],
  );

  const setActive = useCallback(
    async (active: boolean) => {
      try {
        const result = await post<Pick<FlowInfo, "active">>(`${flowApi}/${active ? "activate" : "deactivate"}`, {});
        editorState().patchFlow({ active: result.active });
        toast(result.active ? t("The flow is on: its trigger now starts runs.") : t("The flow is off."));
      } catch (exc) {
        toast(errorText(exc), "error");
      }
    },
    [flowApi, toast, t, errorText],
  );

  const renameFlow = useCallback(
    async (name: string) => {
      try {
        const result = await patch<Pick<FlowInfo, "name">>(flowApi, { name });
        editorState().patchFlow({ name: result.name });
      } catch (exc) {
        toast(errorText(exc), "error");
      }
    },
    [flowApi, toast, errorText],
  );

  const showDiff = useCallback(
    async (number: number | null) => {
      if (number === null) {
        setDiff(null);
        return;
      }
      try {
        const result = await get<VersionDiff>(`${flowApi}/versions/diff?from=${number}&to=draft`);
        setDiff(diffOf(number, result, editorState().nodes));
      } catch (exc) {
        toast(errorText(exc), "error");
      }
    },
    [flowApi, toast, errorText],
  );

  const restoreVersion = useCallback(
    async (number: number) => {
      if (!(await flush())) return;
      try {
        const result = await post<{ draft_revision: number; graph: StoredGraph }>(`${flowApi}/versions/${number}/restore`, {});
        const store = editorState();
        store.remember();
        setRevision(result.draft_revision);
        store.applyGraph(result.graph);
        setDiff(null);
        closeDialog();
        toast(t("Version {n} is back in the draft. Publish to make it live.").replace("{n}", String(number)));
        validateFlow(flowApi);
      } catch (exc) {
        toast(errorText(exc), "error");
      }
    },
    [flush, flowApi, setRevision, closeDialog, toast, t, errorText],
  );

  const exportFlow = useCallback(async () => {
    try {
      const data = await get<unknown>(`${flowApi}/export`);
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `${(flow && flow.name) || "flow"}.ezflow.json`;
      document.body.appendChild(link);
      link.click();
      link.remove();
    } catch (exc) {
      toast(errorText(exc), "error");
    }
  }, [flowApi, flow, toast, errorText]);

  const webhookUrl = flow ? `${window.location.origin}${flow.webhook_path}` : "";
  const copyWebhook = useCallback(async () => {
    try {
      await navigator.clipboard.writeText(webhookUrl);
      toast(t("Webhook address copied."));
    } catch {
      window.prompt(t("Copy the webhook address:"), webhookUrl);
    }
  }, [webhookUrl, toast, t]);

  return { diff, webhookUrl, publish, setActive, renameFlow, showDiff, restoreVersion, exportFlow, copyWebhook };
}
