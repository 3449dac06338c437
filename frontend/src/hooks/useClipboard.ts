// Copy, cut, paste and duplicate steps: through the system clipboard, and through localStorage so it also works
// between this browser's tabs when the clipboard is not allowed.
import { useCallback } from "react";
import { useReactFlow } from "@xyflow/react";
import type { Translate } from "../lib/i18n";
import { editorState, type ClipboardData } from "../store/editorStore";
import type { FlowEdge, FlowNode } from "../types/graph";
import type { ShowToast } from "./useToasts";

const CLIPBOARD_KEY = "ezflow-editor-clipboard";

export interface Clipboard {
  copy(cut?: boolean): Promise<void>;
  paste(): Promise<void>;
  duplicate(): void;
}

function parse(text: string): ClipboardData | null {
  try {
    const data: unknown = JSON.parse(text);
    return data && typeof data === "object" && !Array.isArray(data) ? (data as ClipboardData) : null;
  } catch {
    return null;
  }
}

export function useClipboard(toast: ShowToast, t: Translate): Clipboard {
  const { screenToFlowPosition } = useReactFlow<FlowNode, FlowEdge>();

  const pasteText = useCallback(
    (text: string) => {
      const data = parse(text);
      if (!data) return false;
      const origin = screenToFlowPosition({ x: window.innerWidth / 2 - 120, y: window.innerHeight / 2 - 60 });
      const count = editorState().paste(data, origin);
      if (count === null) return false;
      toast(t("{n} steps pasted.").replace("{n}", String(count)));
      return true;
    },
    [screenToFlowPosition, toast, t],
  );

  const copy = useCallback(
    async (cut = false) => {
      const payload = editorState().copyPayload();
      if (!payload) return;
      localStorage.setItem(CLIPBOARD_KEY, payload);
      try {
        await navigator.clipboard.writeText(payload);
      } catch {
        /* the local copy above still works across this browser's tabs */
      }
      if (cut) editorState().deleteSelected();
      else toast(t("Copied. Paste with Ctrl+V here or in another flow."));
    },
    [toast, t],
  );

  const paste = useCallback(async () => {
    let text: string | null = null;
    try {
      text = await navigator.clipboard.readText();
    } catch {
      text = null;
    }
    if (!text || !pasteText(text)) {
      const stored = localStorage.getItem(CLIPBOARD_KEY);
      if (!stored || !pasteText(stored)) toast(t("There is nothing to paste. Copy steps first."), "error");
    }
  }, [pasteText, toast, t]);

  const duplicate = useCallback(() => {
    const payload = editorState().copyPayload();
    if (payload) pasteText(payload);
  }, [pasteText]);

  return { copy, paste, duplicate };
}
