/* One WebSocket per tab for live pages (see docs/live.md).
 *
 *   const stop = EZLive.subscribe("run", 42, (message) => { ... });
 *
 * Pages: "run" (id), "flow" (id), "runs" (the organization's feed), "notifications" (mine).
 * Messages are hints: the database is the truth. After a reconnect, or when a handler notices a gap in
 * `seq`, the page refetches; handlers receive {type: "resync"} after every reconnect for that purpose.
 * Each subscription is answered with {type: "subscribed", page, id, ...state now}: `seq` for a run, `changed`
 * (ms) for a run feed, `unread` for notifications. Events before that answer were not sent to this page, so a
 * page compares the state with what it rendered (EZLive.missed) and refetches when something happened between.
 * EZLive.onStatus(fn) reports "live" / "connecting" / "offline" for a small status badge.
 */
(function () {
  "use strict";
  if (window.EZLive) return;

  const subscriptions = new Map(); // "page:id" -> {page, id, handlers: Set}
  const statusListeners = new Set();
  let socket = null;
  let opened = false;
  let retryDelay = 500;
  let status = "connecting";
  let refused = false;

  function key(page, id) {
    return page + ":" + (id == null ? "" : id);
  }

  function setStatus(value) {
    status = value;
    statusListeners.forEach((fn) => fn(value));
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function matches(sub, message) {
    if (message.type === "resync") return true;
    if (message.type === "subscribed") return message.page === sub.page && (message.id == null ? sub.id == null : message.id === sub.id);
    const runId = message.run_id;
    switch (sub.page) {
      case "run":
        return runId === sub.id;
      case "flow":
        return message.flow_id === sub.id && String(message.type || "").startsWith("run.");
      case "runs":
        return String(message.type || "").startsWith("run.");
      case "notifications":
        return String(message.type || "").startsWith("notification.");
      default:
        return false;
    }
  }

  function deliver(message) {
    subscriptions.forEach((sub) => {
      if (!matches(sub, message)) return;
      sub.handlers.forEach((handler) => {
        try {
          handler(message);
        } catch (error) {
          console.error(error);
        }
      });
    });
  }

  function connect() {
    if (refused) return;
    setStatus("connecting");
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/");
    socket.addEventListener("open", () => {
      retryDelay = 500;
      setStatus("live");
      subscriptions.forEach((sub) => send({ type: "subscribe", page: sub.page, id: sub.id }));
      if (opened) deliver({ type: "resync" });
      opened = true;
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      deliver(message);
    });
    socket.addEventListener("close", (event) => {
      // 44xx: the server refused us (signed out, not a member, suspended): retrying would not help.
      if (event.code >= 4400 && event.code < 4500) {
        refused = true;
        setStatus("offline");
        return;
      }
      setStatus("offline");
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
    });
  }

  window.EZLive = {
    subscribe(page, id, handler) {
      const k = key(page, id);
      let sub = subscriptions.get(k);
      if (!sub) {
        sub = { page, id: id == null ? undefined : id, handlers: new Set() };
        subscriptions.set(k, sub);
        send({ type: "subscribe", page, id: sub.id });
      }
      sub.handlers.add(handler);
      if (!socket) connect();
      return function unsubscribe() {
        sub.handlers.delete(handler);
        if (sub.handlers.size === 0) {
          subscriptions.delete(k);
          send({ type: "unsubscribe", page, id: sub.id });
        }
      };
    },
    onStatus(fn) {
      statusListeners.add(fn);
      fn(status);
      return () => statusListeners.delete(fn);
    },
    get status() {
      return status;
    },
    // True when a "subscribed" answer says the feed changed after the page was rendered at `since` (ms); the
    // second of slack covers runs that committed out of order around the render.
    missed(message, since) {
      return message.type === "subscribed" && typeof message.changed === "number" && message.changed >= Number(since || 0) - 1000;
    },
  };
})();
