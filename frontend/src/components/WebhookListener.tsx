// “Listen for a test request” on a webhook step: shows the test address and a curl command, waits for the real
// request (the server captures it at /webhook-test/<token>, apps/runs/webhooks/listen.py) and pins it as the step's
// test data, shaped exactly as a production run receives it ({method, headers, query, body}).
import { useEffect, useRef, useState } from "react";
import { useEditor } from "./context";
import { ApiError, api, get, post } from "../lib/api";
import type { Item } from "../types/graph";

export interface ListenState {
  id: number;
  node_id: string;
  status: "listening" | "captured" | "expired";
  test_url: string;
  curl: string;
  expires_at: string;
  item: Item | null;
}

export const POLL_MS = 1000;

interface Props {
  flowId: number;
  nodeId: string;
  onCaptured: (items: Item[]) => void;
  pollMs?: number;
}

export default function WebhookListener({ flowId, nodeId, onCaptured, pollMs = POLL_MS }: Props) {
  const { t } = useEditor();
  const [listen, setListen] = useState<ListenState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [captured, setCaptured] = useState(false);
  const alive = useRef(true);
  const capturedTo = useRef(onCaptured);
  capturedTo.current = onCaptured;
  const base = `/flows/${flowId}/webhook-listen`;

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  useEffect(() => {
    if (!listen || listen.status !== "listening") return undefined;
    const timer = window.setTimeout(async () => {
      try {
        const next = await get<ListenState>(`${base}/${listen.id}`);
        if (!alive.current) return;
        if (next.status === "captured" && next.item) {
          setCaptured(true);
          capturedTo.current([next.item]);
        }
        setListen(next);
      } catch (exc) {
        // Offline for a moment: try again at the next tick rather than giving up the wait.
        if (alive.current) setListen({ ...listen });
        if (exc instanceof ApiError && exc.status !== 0) setError(exc.message);
      }
    }, pollMs);
    return () => window.clearTimeout(timer);
  }, [listen, base, pollMs]);

  useEffect(
    () => () => {
      // Leaving the step (or the editor) stops the wait, so the test address closes again.
      if (listen && listen.status === "listening") api("DELETE", `${base}/${listen.id}`).catch(() => undefined);
    },
    [listen?.id],
  );

  const start = async () => {
    setError(null);
    setCaptured(false);
    try {
      setListen(await post<ListenState>(base, { node_id: nodeId }));
    } catch (exc) {
      setError(exc instanceof ApiError ? exc.message : String(exc));
    }
  };

  const stop = async () => {
    if (listen) await api("DELETE", `${base}/${listen.id}`).catch(() => undefined);
    setListen(null);
  };

  const listening = listen && listen.status === "listening";
  return (
    <div className="ez-listen" data-testid="webhook-listen">
      {!listening && (
        <button type="button" className="ez-button primary" onClick={start} data-testid="listen-start">
          {t("Listen for a test request")}
        </button>
      )}
      {listening && (
        <div data-testid="listen-waiting">
          <p className="ez-hint" role="status">
            <span className="ez-spinner" aria-hidden="true" /> {t("Waiting for a test request… Send one to this test address:")}
          </p>
          <code className="ez-mono ez-wrap" data-testid="listen-url">
            {listen.test_url}
          </code>
          <p className="ez-hint">{t("For example, from a terminal:")}</p>
          <pre className="ez-mono ez-wrap" data-testid="listen-curl">
            {listen.curl}
          </pre>
          <button type="button" className="ez-button" onClick={stop} data-testid="listen-stop">
            {t("Stop listening")}
          </button>
        </div>
      )}
      {listen && listen.status === "expired" && (
        <p className="ez-hint" role="status" data-testid="listen-expired">
          {t("No request arrived in time. Listen again when you are ready to send it.")}
        </p>
      )}
      {captured && (
        <p className="ez-ok" role="status" data-testid="listen-captured">
          {t("Test request received and pinned as this step's test data.")}
        </p>
      )}
      {error && (
        <div className="ez-field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
