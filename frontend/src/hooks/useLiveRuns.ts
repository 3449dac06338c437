// Test runs and their progress on the canvas: the whole flow (live over the WebSocket, or asked every 1.5 s while
// the socket is down) and a single step.
import { useCallback, useEffect, useRef, useState } from "react";
import { post } from "../lib/api";
import type { ErrorText } from "../lib/errors";
import { inputOf } from "../lib/expressions";
import type { Translate } from "../lib/i18n";
import { connectLive, type LiveConnection, type LiveMessage } from "../lib/live";
import { loadRunOutputs, nodeStatus, RUN_DONE } from "../lib/runs";
import { nextStream, type StreamState } from "../lib/streams";
import { editorState, type StatusInfo } from "../store/editorStore";
import type { Boot, Run, TestNodeResult } from "../types/api";
import type { ShowToast } from "./useToasts";

export type LiveState = "connecting" | "open" | "closed";

interface Options {
  boot: Pick<Boot, "ws_path" | "flow_id">;
  loaded: boolean;
  flowApi: string;
  readOnly: boolean;
  flush: () => Promise<boolean>;
  toast: ShowToast;
  errorText: ErrorText;
  t: Translate;
  /** Other pages' messages on the same socket (the assistant's progress). */
  onMessage?: (message: LiveMessage) => void;
  /** Subscribe to the assistant's progress too (once the panel is opened). */
  assistantLive?: boolean;
  /** A test run started here ended (read again with its steps): the failed step is brought into sight. */
  onFinished?: (run: Run) => void;
}

export interface LiveRuns {
  liveState: LiveState;
  testing: boolean;
  runFlow(): Promise<void>;
  testNode(id: string): Promise<void>;
  /** The answer of the step being tested, while an AI model writes it. */
  stream: StreamState | null;
}

/** The node statuses after a batch of live step events, and the highest event number in it. */
export function applyNodeEvents(statuses: Record<string, StatusInfo>, message: LiveMessage, lastSeq: number): [Record<string, StatusInfo>, number] {
  const next = { ...statuses };
  let seq = lastSeq;
  for (const ev of message.events || []) {
    if (!ev.node_id) continue;
    if (ev.type === "node.started") next[ev.node_id] = { status: "running" };
    else if (ev.type === "node.finished") next[ev.node_id] = { status: "success", count: ev.items_out };
    else if (ev.type === "node.failed") next[ev.node_id] = { status: "error" };
    seq = Math.max(seq, ev.seq || 0);
  }
  return [next, seq];
}

export function useLiveRuns({ boot, loaded, flowApi, readOnly, flush, toast, errorText, t, onMessage, assistantLive, onFinished }: Options): LiveRuns {
  const onMessageRef = useRef(onMessage);
  onMessageRef.current = onMessage;
  const onFinishedRef = useRef(onFinished);
  onFinishedRef.current = onFinished;
  const [liveState, setLiveState] = useState<LiveState>("connecting");
  const [testing, setTesting] = useState(false);
  const live = useRef<LiveConnection | null>(null);
  const currentRun = useRef<number | null>(null);
  const announced = useRef<number | null>(null);
  const testingNode = useRef<string | null>(null);
  const [stream, setStream] = useState<StreamState | null>(null);

  const finished = useCallback(
    (run: Run) => {
      if (!RUN_DONE.includes(run.status) || currentRun.current !== run.id || announced.current === run.id) return;
      announced.current = run.id;
      setTesting(false);
      const ok = run.status === "success";
      toast(ok ? t("The test run finished successfully.") : `${t("The test run failed.")} ${run.error || ""}`, ok ? "info" : "error");
      if (onFinishedRef.current) onFinishedRef.current(run);
    },
    [toast, t],
  );

  const onLive = useCallback(
    (message: LiveMessage) => {
      if (message.type === "ai.stream") {
        setStream((current) => nextStream(current, message, testingNode.current));
        return;
      }
      const runId = currentRun.current;
      const store = editorState();
      if (message.type === "subscribed" && message.page === "run" && runId && message.id === runId) {
        // The answer to our subscription carries the run's seq now: events before it were not sent to us.
        if (typeof message.seq === "number" && message.seq > store.lastSeq) {
          loadRunOutputs(runId)
            .then(finished)
            .catch(() => null);
        }
        return;
      }
      if (!runId || message.run_id !== runId) return;
      if (message.seq && store.lastSeq && message.seq > store.lastSeq + 1 && message.type !== "nodes") loadRunOutputs(runId).catch(() => null);
      if (message.type === "nodes") {
        const [next, seq] = applyNodeEvents(store.statuses, message, store.lastSeq);
        store.setStatuses(() => next);
        store.setLastSeq(seq);
      } else if (message.type && message.type.startsWith("run.")) {
        const status = message.status as Run["status"];
        store.setRunInfo((r) => ({ ...(r || { id: runId }), status }));
        if (RUN_DONE.includes(status))
          loadRunOutputs(runId)
            .then(finished)
            .catch(() => null);
      }
    },
    [finished],
  );
  const onLiveRef = useRef(onLive);
  onLiveRef.current = onLive;

  useEffect(() => {
    if (!loaded) return undefined;
    const connection = connectLive({
      path: boot.ws_path,
      onMessage: (m) => {
        if (onMessageRef.current) onMessageRef.current(m);
        onLiveRef.current(m);
      },
      onOpen: () => {
        setLiveState("open");
        if (currentRun.current) loadRunOutputs(currentRun.current).catch(() => null);
      },
      onClose: () => setLiveState("closed"),
    });
    connection.subscribe("flow", boot.flow_id);
    // AI answers being written while this person tests a step (only theirs, only this flow).
    if (!readOnly) connection.subscribe("ai_stream", boot.flow_id);
    live.current = connection;
    return () => connection.close();
  }, [loaded]); // once loaded: one socket for the page's lifetime

  useEffect(() => {
    if (assistantLive && live.current) live.current.subscribe("assistant", boot.flow_id);
  }, [assistantLive, loaded, boot.flow_id]);

  // Without a live connection, ask the server until the run ends.
  useEffect(() => {
    if (!testing) return undefined;
    const timer = setInterval(async () => {
      if (!currentRun.current || (live.current && live.current.isOpen())) return;
      const run = await loadRunOutputs(currentRun.current).catch(() => null);
      if (run) finished(run);
    }, 1500);
    return () => clearInterval(timer);
  }, [testing, finished]);

  const runFlow = useCallback(async () => {
    if (readOnly || testing) return;
    if (!(await flush())) return;
    setTesting(true);
    editorState().setStatuses(() => ({}));
    try {
      const run = await post<Run>(`${flowApi}/run`, { draft: true });
      currentRun.current = run.id;
      editorState().setLastSeq(run.seq || 0);
      editorState().setRunInfo(() => run);
      // The answer to this subscription says whether the run moved on before it (see onLive).
      if (live.current) live.current.subscribe("run", run.id);
    } catch (exc) {
      setTesting(false);
      toast(errorText(exc), "error");
    }
  }, [readOnly, testing, flush, flowApi, toast, errorText]);

  const testNode = useCallback(
    async (id: string) => {
      if (!(await flush())) return;
      setTesting(true);
      testingNode.current = id;
      setStream(null);
      const store = editorState();
      store.setStatuses((s) => ({ ...s, [id]: { status: "running" } }));
      try {
        // With what reached it last time (pinned or tested earlier steps); else the server uses pinned data.
        const items = inputOf(editorState(), id);
        const result = await post<TestNodeResult>(`${flowApi}/test-node`, items ? { node_id: id, items } : { node_id: id });
        store.setStatuses((s) => ({ ...s, [id]: { status: nodeStatus(result.status), count: result.items_out, error: result.error || "" } }));
        store.setOutputs((o) => ({ ...o, [id]: result.outputs }));
        if (result.error) toast(result.error, "error");
      } catch (exc) {
        store.setStatuses((s) => ({ ...s, [id]: { status: "error" } }));
        toast(errorText(exc), "error");
      } finally {
        testingNode.current = null;
        setStream(null);
        setTesting(false);
      }
    },
    [flush, flowApi, toast, errorText],
  );

  return { liveState, testing, runFlow, testNode, stream };
}
