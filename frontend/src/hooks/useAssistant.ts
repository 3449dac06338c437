// The assistant panel's conversation: load it, ask (against the graph on the canvas, saved or not), apply a proposal
// (one undo step of its own), discard it, undo it (the flow exactly as before that turn), start over.
import { useCallback, useEffect, useState } from "react";
import { del, get, post } from "../lib/api";
import { addDelta, type Streamed, type Turn, type TurnState } from "../lib/assistant";
import type { ErrorText } from "../lib/errors";
import type { LiveMessage } from "../lib/live";
import type { Translate } from "../lib/i18n";
import { editorState } from "../store/editorStore";
import type { Boot } from "../types/api";
import type { StoredGraph } from "../types/graph";
import { validateFlow } from "./useAutosave";
import type { ShowToast } from "./useToasts";

interface Options {
  boot: Boot;
  loaded: boolean;
  flowApi: string;
  toast: ShowToast;
  errorText: ErrorText;
  t: Translate;
}

export interface Assistant {
  turns: Turn[];
  busy: boolean;
  /** What the assistant has written so far while answering (Claude's text streamed over the live socket), one
   * paragraph per model call, growing as the pieces arrive. */
  progress: string[];
  error: string;
  onLive(message: LiveMessage): void;
  ask(prompt: string): Promise<Turn | null>;
  apply(turn: Turn): void;
  discard(turn: Turn): void;
  undo(turn: Turn): void;
  clear(): Promise<void>;
}

export function useAssistant({ boot, loaded, flowApi, toast, errorText, t }: Options): Assistant {
  const path = `/assistant/flows/${boot.flow_id}/conversation`;
  const [turns, setTurns] = useState<Turn[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [streamed, setStreamed] = useState<Streamed[]>([]);
  const progress = streamed.map((entry) => entry.text);

  const onLive = useCallback(
    (message: LiveMessage) => {
      if (message.type === "assistant.delta" && message.flow_id === boot.flow_id && typeof message.call === "number") {
        const { call, text = "", reset = false } = message;
        setStreamed((now) => addDelta(now, call, text, reset));
      }
    },
    [boot.flow_id],
  );

  useEffect(() => {
    if (!loaded) return;
    get<{ turns: Turn[] }>(path)
      .then((result) => setTurns(result.turns))
      .catch((exc) => setError(errorText(exc)));
  }, [loaded, path, errorText]);

  const mark = useCallback(
    (turn: Turn, state: TurnState) => {
      setTurns((all) => all.map((x) => (x.id === turn.id ? { ...x, state } : x)));
      if (!boot.can_edit) return;
      post<Turn>(`${path}/turns/${turn.id}/state`, { state }).catch((exc) => toast(errorText(exc), "error"));
    },
    [boot.can_edit, path, toast, errorText],
  );

  const ask = useCallback(
    async (prompt: string) => {
      setBusy(true);
      setError("");
      setStreamed([]);
      try {
        const turn = await post<Turn>(path, { prompt, graph: editorState().graph(), language: boot.language === "ko" ? "ko" : "en" });
        // An older proposal nobody applied is set aside: the new one was asked about the flow as it is.
        setTurns((all) => [...all.map((x) => (x.state === "proposed" ? { ...x, state: "discarded" as TurnState } : x)), turn]);
        return turn;
      } catch (exc) {
        setError(errorText(exc));
        return null;
      } finally {
        setBusy(false);
        setStreamed([]);
      }
    },
    [path, boot.language, errorText],
  );

  const replaceGraph = useCallback(
    (graph: StoredGraph) => {
      const store = editorState();
      store.remember();
      store.applyGraph(graph);
      store.markDirty();
      setTimeout(() => validateFlow(flowApi), 0);
    },
    [flowApi],
  );

  const apply = useCallback(
    (turn: Turn) => {
      if (!boot.can_edit) return;
      replaceGraph(turn.graph);
      mark(turn, "applied");
      toast(t("The assistant's change is in the draft."));
    },
    [boot.can_edit, replaceGraph, mark, toast, t],
  );

  const discard = useCallback((turn: Turn) => mark(turn, "discarded"), [mark]);

  const undo = useCallback(
    (turn: Turn) => {
      if (!boot.can_edit) return;
      replaceGraph(turn.graph_before || { nodes: [], edges: [] });
      mark(turn, "undone");
      toast(t("The flow is back as it was before this change."));
    },
    [boot.can_edit, replaceGraph, mark, toast, t],
  );

  const clear = useCallback(async () => {
    try {
      await del(path);
      setTurns([]);
    } catch (exc) {
      toast(errorText(exc), "error");
    }
  }, [path, toast, errorText]);

  return { turns, busy, progress, error, onLive, ask, apply, discard, undo, clear };
}
