/* The notification bell: unread badge kept live over the shared WebSocket (EZLive), dropdown with the latest
 * notifications, mark one or all as read. Live messages carry only an id and the unread count; the list is
 * always fetched from the API (the database is the truth), and refetched after a reconnect. */
(function () {
  "use strict";
  const root = document.querySelector("[data-bell]");
  if (!root) return;
  const toggle = root.querySelector("[data-bell-toggle]");
  const panel = root.querySelector("[data-bell-panel]");
  const list = root.querySelector("[data-bell-list]");
  const badge = root.querySelector("[data-bell-count]");
  const readAll = root.querySelector("[data-bell-read-all]");
  const csrf = root.dataset.csrf;
  const lang = document.documentElement.lang || "en";
  const relative = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;

  function setCount(count, pulse) {
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.hidden = !count;
    root.dataset.unread = String(count);
    if (pulse && count) {
      badge.classList.remove("pulse");
      void badge.offsetWidth; // restart the animation
      badge.classList.add("pulse");
    }
  }

  function ago(iso) {
    const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
    if (!relative) return new Date(iso).toLocaleString(lang);
    const steps = [["second", 60], ["minute", 60], ["hour", 24], ["day", 7]];
    let value = seconds;
    for (const [unit, size] of steps) {
      if (Math.abs(value) < size) return relative.format(value, unit);
      value = Math.round(value / size);
    }
    return new Date(iso).toLocaleDateString(lang);
  }

  function api(path, options) {
    const init = Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options || {});
    if (init.method === "POST") init.headers["X-CSRFToken"] = csrf;
    return fetch(path, init).then((response) => {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    });
  }

  function render(data) {
    setCount(data.unread, false);
    list.replaceChildren();
    if (!data.results.length) {
      const empty = document.createElement("li");
      empty.className = "bell-empty";
      empty.textContent = root.dataset.textEmpty;
      list.append(empty);
      return;
    }
    data.results.forEach((note) => {
      const item = document.createElement("li");
      if (!note.read) item.className = "unread";
      const link = document.createElement("a");
      link.href = note.url;
      link.dataset.testid = "bell-item";
      link.dataset.id = String(note.id);
      const title = document.createElement("span");
      title.className = "note-title";
      title.textContent = note.title;
      const meta = document.createElement("span");
      meta.className = "note-meta";
      meta.textContent = [note.message, ago(note.updated_at)].filter(Boolean).join(" · ");
      link.append(title, meta);
      link.addEventListener("click", (event) => {
        if (note.read) return;
        event.preventDefault();
        api("/api/v1/notifications/" + note.id + "/read", { method: "POST" })
          .catch(() => null)
          .then(() => (location.href = note.url));
      });
      item.append(link);
      list.append(item);
    });
  }

  function refresh() {
    return api("/api/v1/notifications?page_size=10")
      .then(render)
      .catch(() => {
        list.replaceChildren();
        const failed = document.createElement("li");
        failed.className = "bell-empty";
        failed.textContent = root.dataset.textError;
        list.append(failed);
      });
  }

  function refreshCount() {
    return api("/api/v1/notifications?unread=true&page_size=1")
      .then((data) => setCount(data.unread, false))
      .catch(() => null);
  }

  function open(show) {
    panel.hidden = !show;
    toggle.setAttribute("aria-expanded", show ? "true" : "false");
    if (show) {
      // On a phone the panel is fixed to the screen (the top bar scrolls sideways): place it under the bell.
      panel.style.top = getComputedStyle(panel).position === "fixed" ? toggle.getBoundingClientRect().bottom + 8 + "px" : "";
      refresh();
    }
  }

  toggle.addEventListener("click", () => open(panel.hidden));
  document.addEventListener("click", (event) => {
    if (!panel.hidden && !root.contains(event.target)) open(false);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      open(false);
      toggle.focus();
    }
  });
  readAll.addEventListener("click", () => {
    api("/api/v1/notifications/read-all", { method: "POST" }).then(refresh).catch(() => null);
  });

  function onLive(message) {
    if (message.type === "resync") {
      if (panel.hidden) refreshCount();
      else refresh();
      return;
    }
    if (typeof message.unread === "number") setCount(message.unread, message.type === "notification.created");
    if (!panel.hidden) refresh();
  }

  function start() {
    if (window.EZLive) window.EZLive.subscribe("notifications", null, onLive);
  }
  if (window.EZLive) start();
  else window.addEventListener("load", start);
})();
