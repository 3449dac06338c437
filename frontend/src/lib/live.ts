// One WebSocket to /ws/ with reconnects. Messages are hints: after a reconnect or a seq gap the editor refetches.

export interface LiveEvent {
  type: string;
  node_id?: string;
  items_out?: number;
  seq?: number;
}

export interface LiveMessage {
  type?: string;
  page?: string;
  id?: number;
  run_id?: number;
  seq?: number;
  status?: string;
  events?: LiveEvent[];
  /** assistant.delta: a piece of the text the assistant is writing (`call`: the model call it belongs to; `reset`:
   * that call is retried, drop its text). */
  text?: string;
  call?: number;
  reset?: boolean;
  flow_id?: number;
  /** ai.stream: the step being tested, the item's index and whether its answer is complete. */
  node_id?: string;
  item?: number;
  done?: boolean;
}

export interface LiveConnection {
  subscribe(page: string, id: number): void;
  isOpen(): boolean;
  close(): void;
}

interface LiveOptions {
  path: string;
  onMessage: (message: LiveMessage) => void;
  onOpen?: () => void;
  onClose?: (event: CloseEvent) => void;
}

// Closed by the server for good (signed out, no access, not found, too many): no reconnect.
const FINAL_CLOSE_CODES = [4401, 4403, 4404, 4423];

export function connectLive({ path, onMessage, onOpen, onClose }: LiveOptions): LiveConnection {
  let socket: WebSocket | null = null;
  let closed = false;
  let delay = 500;
  const subscriptions = new Set<string>();

  function open() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const current = new WebSocket(`${scheme}://${window.location.host}${path}`);
    socket = current;
    current.onopen = () => {
      delay = 500;
      for (const key of subscriptions) current.send(key);
      if (onOpen) onOpen();
    };
    current.onmessage = (event: MessageEvent) => {
      try {
        onMessage(JSON.parse(String(event.data)) as LiveMessage);
      } catch {
        /* not JSON: ignore */
      }
    };
    current.onclose = (event: CloseEvent) => {
      if (onClose) onClose(event);
      if (closed || FINAL_CLOSE_CODES.includes(event.code)) return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }
  open();
  return {
    subscribe(page, id) {
      const key = JSON.stringify({ type: "subscribe", page, id });
      subscriptions.add(key);
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(key);
    },
    isOpen: () => !!socket && socket.readyState === WebSocket.OPEN,
    close() {
      closed = true;
      if (socket) socket.close();
    },
  };
}
