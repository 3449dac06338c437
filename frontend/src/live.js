// One WebSocket to /ws/ with reconnects. Messages are hints: after a reconnect or a seq gap the editor refetches.
export function connectLive({ path, onMessage, onOpen, onClose }) {
  let socket = null;
  let closed = false;
  let delay = 500;
  const subscriptions = new Set();

  function open() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${window.location.host}${path}`);
    socket.onopen = () => {
      delay = 500;
      for (const key of subscriptions) socket.send(key);
      if (onOpen) onOpen();
    };
    socket.onmessage = (event) => {
      try {
        onMessage(JSON.parse(event.data));
      } catch (exc) {
        /* not JSON: ignore */
      }
    };
    socket.onclose = (event) => {
      if (onClose) onClose(event);
      if (closed || [4401, 4403, 4404, 4423].includes(event.code)) return;
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
    isOpen: () => socket && socket.readyState === WebSocket.OPEN,
    close() {
      closed = true;
      if (socket) socket.close();
    },
  };
}
