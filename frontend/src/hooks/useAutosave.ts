// Saving the draft: a moment after each change, on Ctrl+S and before anything that needs it saved (test, publish).
// The server refuses a save based on an older revision (409): then nothing more is saved until the person reloads
// or keeps their version ("overwrite").
import { useCallback, useEffect, useRef } from "react";
import { get, patch, post, ApiError } from "../lib/api";
import type { ErrorText } from "../lib/errors";
import type { Translate } from "../lib/i18n";
import { editorState } from "../store/editorStore";
import type { Boot, FlowInfo, SavedFlow, ValidationResult } from "../types/api";
import type { ShowToast } from "./useToasts";

const AUTOSAVE_EVERY_MS = 700;

/** Asks the server what to fix before publishing; advisory, so a failure changes nothing. */
export async function validateFlow(flowApi: string): Promise<void> {
  try {
    const result = await post<ValidationResult>(`${flowApi}/validate`, {});
    editorState().setProblems(result.problems || []);
  } catch {
    /* saving already reported any error */
  }
}

export interface Autosave {
  save(): Promise<void>;
  /** Saves what is not saved yet; false when the draft cannot be saved (changed elsewhere). */
  flush(): Promise<boolean>;
  overwrite(): Promise<void>;
  setRevision(revision: number): void;
}

interface Options {
  boot: Pick<Boot, "max_body_bytes">;
  flowApi: string;
  readOnly: boolean;
  toast: ShowToast;
  errorText: ErrorText;
  t: Translate;
}

export function useAutosave({ boot, flowApi, readOnly, toast, errorText, t }: Options): Autosave {
  const revision = useRef(0);
  const savedChanges = useRef(0);
  const failedChanges = useRef(-1);
  const saving = useRef<Promise<void> | null>(null);
  const stale = useRef(false);

  const save = useCallback(async () => {
    if (readOnly || stale.current) return;
    if (saving.current) {
      await saving.current;
      if (editorState().changes === savedChanges.current) return;
    }
    const store = editorState();
    const target = store.changes;
    const graph = store.graph();
    // Too big for the server to accept: say so in words (the work stays here) instead of sending it.
    const size = new Blob([JSON.stringify({ graph, revision: revision.current })]).size;
    if (boot.max_body_bytes && size > boot.max_body_bytes) {
      failedChanges.current = target;
      store.setSaveState("error");
      const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
      toast(
        t("This flow is too large to save ({size} MB; at most {max} MB). Shorten a long text or clear pinned test data.")
          .replace("{size}", mb(size))
          .replace("{max}", mb(boot.max_body_bytes)),
        "error",
      );
      return;
    }
    store.setSaveState("saving");
    saving.current = (async () => {
      try {
        const result = await patch<SavedFlow>(flowApi, { graph, revision: revision.current });
        revision.current = result.draft_revision;
        savedChanges.current = target;
        const { graph: _graph, ...info } = result;
        editorState().patchFlow(info);
        editorState().setSaveState(editorState().changes === target ? "saved" : "dirty");
        validateFlow(flowApi);
      } catch (exc) {
        if (exc instanceof ApiError && exc.status === 409) {
          stale.current = true;
          editorState().setSaveState("stale");
        } else {
          editorState().setSaveState("error");
          // Not retried until the next change (a refusal would come back every few moments); offline is retried.
          if (!(exc instanceof ApiError && exc.code === "offline")) failedChanges.current = target;
          toast(errorText(exc), "error");
        }
      } finally {
        saving.current = null;
      }
    })();
    await saving.current;
  }, [flowApi, readOnly, toast, errorText, t, boot]);

  const flush = useCallback(async () => {
    if (saving.current) await saving.current;
    if (editorState().changes !== savedChanges.current) await save();
    return !stale.current;
  }, [save]);

  useEffect(() => {
    if (readOnly) return undefined;
    const timer = setInterval(() => {
      const changes = editorState().changes;
      if (!saving.current && !stale.current && changes !== savedChanges.current && changes !== failedChanges.current && navigator.onLine) save();
    }, AUTOSAVE_EVERY_MS);
    const beforeUnload = (event: BeforeUnloadEvent) => {
      if (editorState().changes !== savedChanges.current) {
        event.preventDefault();
        event.returnValue = "";
      }
    };
    window.addEventListener("beforeunload", beforeUnload);
    return () => {
      clearInterval(timer);
      window.removeEventListener("beforeunload", beforeUnload);
    };
  }, [save, readOnly]);

  const overwrite = useCallback(async () => {
    try {
      const current = await get<FlowInfo>(flowApi);
      revision.current = current.draft_revision;
      stale.current = false;
      editorState().markDirty();
      await save();
      toast(t("Your version is saved and replaces the other change."));
    } catch (exc) {
      toast(errorText(exc), "error");
    }
  }, [flowApi, save, toast, t, errorText]);

  const setRevision = useCallback((value: number) => {
    revision.current = value;
  }, []);

  return { save, flush, overwrite, setRevision };
}
