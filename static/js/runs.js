/* Live run list and run page. The server renders every fragment; events only say when to refresh (or, for a
 * node, which colour it has now). A gap in `seq` or a reconnect refetches from the database. */
(function () {
  "use strict";

  function labels(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : {};
  }

  function debounce(fn, wait) {
    let timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, wait);
    };
  }

  function showConnection() {
    const badges = () => document.querySelectorAll("[data-live-status]");
    const text = {
      ko: { live: "실시간", connecting: "연결 중…", offline: "연결 끊김" },
      en: { live: "Live", connecting: "Connecting…", offline: "Disconnected" },
    }[document.documentElement.lang === "ko" ? "ko" : "en"];
    window.EZLive.onStatus((status) => {
      badges().forEach((badge) => {
        badge.textContent = text[status];
        badge.dataset.state = status;
      });
    });
  }

  async function fetchText(url) {
    const response = await fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(response.status);
    return response.text();
  }

  // ---- run list -------------------------------------------------------------------------------------
  function runList(table) {
    const statusLabels = labels("run-status-labels");
    const flow = table.dataset.flow ? Number(table.dataset.flow) : null;
    const body = table.querySelector("tbody");
    const refresh = debounce(async () => {
      const params = new URLSearchParams(location.search);
      params.set("fragment", "rows");
      try {
        body.innerHTML = await fetchText(location.pathname + "?" + params.toString());
      } catch (error) {
        /* the next event or reconnect tries again */
      }
    }, 250);
    const handler = (message) => {
      if (message.type === "subscribed") return window.EZLive.missed(message, table.dataset.liveSince) ? refresh() : undefined;
      if (message.type === "resync" || message.type === "run.queued") return refresh();
      const row = body.querySelector('tr[data-run-id="' + message.run_id + '"]');
      if (!row) return refresh();
      const badge = row.querySelector("[data-run-status]");
      if (badge && message.status) {
        badge.className = "status status-" + message.status;
        badge.dataset.runStatus = message.status;
        badge.textContent = statusLabels[message.status] || message.status;
      }
      if (["run.success", "run.failed", "run.cancelled"].includes(message.type)) refresh();
    };
    window.EZLive.subscribe(flow ? "flow" : "runs", flow || undefined, handler);
  }

  // ---- a flow's last runs (its overview page) -------------------------------------------------------
  function flowRuns(box) {
    const flow = Number(box.dataset.liveFlowRuns);
    const refresh = debounce(async () => {
      try {
        box.innerHTML = await fetchText(box.dataset.fragmentUrl);
      } catch (error) {
        /* the next event or reconnect tries again */
      }
    }, 250);
    window.EZLive.subscribe("flow", flow, (message) => {
      if (message.type === "subscribed") return window.EZLive.missed(message, box.dataset.liveSince) ? refresh() : undefined;
      if (message.type === "resync" || String(message.type).startsWith("run.")) refresh();
    });
  }

  // ---- one run --------------------------------------------------------------------------------------
  function runPage(container) {
    const runId = Number(container.dataset.liveRun);
    const nodeLabels = labels("node-status-labels");
    let lastSeq = Number(container.dataset.seq || 0);

    const refresh = debounce(async () => {
      try {
        const html = await fetchText(container.dataset.fragmentUrl);
        const open = Array.from(container.querySelectorAll("details[open]")).map((d) => d.id);
        container.innerHTML = html;
        open.forEach((id) => {
          const details = document.getElementById(id);
          if (details) details.open = true;
        });
        wire();
      } catch (error) {
        /* try again on the next event */
      }
    }, 300);

    function paint(nodeId, status) {
      const node = container.querySelector('g[data-node-id="' + CSS.escape(nodeId) + '"]');
      if (node) {
        node.setAttribute("class", "node node-" + status);
        const meta = node.querySelector("[data-node-meta]");
        if (meta) meta.textContent = nodeLabels[status] || status;
      }
      const panel = container.querySelector('[data-node-panel="' + CSS.escape(nodeId) + '"]');
      if (panel) {
        const dot = panel.querySelector(".dot");
        if (dot) dot.className = "dot node-" + status;
        const text = panel.querySelector("[data-node-status-text]");
        if (text) text.textContent = nodeLabels[status] || status;
      }
    }

    function seen(seq) {
      if (typeof seq !== "number") return;
      if (seq > lastSeq + 1) refresh(); // missed something: the database knows
      lastSeq = Math.max(lastSeq, seq);
    }

    function select(nodeId) {
      const panel = document.getElementById("node-" + nodeId);
      if (panel) {
        panel.open = true;
        panel.scrollIntoView({ behavior: "smooth", block: "start" });
      }
    }

    // A failed run: its diagram (wider than a phone) scrolls inside its box so the failed step is in sight, once
    // per page (a person who scrolls afterwards keeps their place).
    let failedShown = false;
    function revealFailed() {
      if (failedShown) return;
      const node = container.querySelector("g.node-failed[data-node-id]");
      const box = container.querySelector(".graph-wrap");
      if (!node || !box) return;
      failedShown = true;
      const n = node.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      if (n.left < b.left || n.right > b.right) box.scrollLeft += n.left - b.left - Math.max(0, (b.width - n.width) / 2);
      if (n.top < b.top || n.bottom > b.bottom) box.scrollTop += n.top - b.top - Math.max(0, (b.height - n.height) / 2);
      box.dataset.revealed = node.dataset.nodeId;
    }

    function wire() {
      container.querySelectorAll("g[data-node-id]").forEach((node) => {
        node.addEventListener("click", () => select(node.dataset.nodeId));
        node.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            select(node.dataset.nodeId);
          }
        });
      });
      container.querySelectorAll("[data-select-node]").forEach((link) =>
        link.addEventListener("click", (event) => {
          event.preventDefault();
          select(link.dataset.selectNode);
        })
      );
      container.querySelectorAll(".io").forEach((io) => {
        io.querySelectorAll("[data-show]").forEach((button) =>
          button.addEventListener("click", () => {
            io.dataset.view = button.dataset.show;
            io.querySelectorAll("[data-show]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
          })
        );
      });
      showConnection();
      revealFailed();
    }

    wire();
    window.EZLive.subscribe("run", runId, (message) => {
      if (message.type === "resync") return refresh();
      if (message.type === "subscribed") {
        // The run moved on between rendering this page and the subscription: its events were not ours.
        if (typeof message.seq === "number" && message.seq > lastSeq) {
          lastSeq = message.seq;
          refresh();
        }
        return;
      }
      if (message.type === "nodes") {
        (message.events || []).forEach((event) => {
          seen(event.seq);
          if (event.type === "node.started") paint(event.node_id, "running");
          else paint(event.node_id, event.node_status || (event.type === "node.failed" ? "failed" : "success"));
        });
        revealFailed();
        return;
      }
      if (String(message.type).startsWith("run.")) {
        const badge = container.querySelector("[data-run-status]");
        if (badge && message.status) {
          badge.className = "status status-" + message.status;
          badge.dataset.runStatus = message.status;
          badge.textContent = labels("run-status-labels")[message.status] || message.status;
        }
        if (["run.success", "run.failed", "run.cancelled"].includes(message.type)) refresh();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!window.EZLive) return;
    const table = document.querySelector("[data-live-runs]");
    if (table) {
      showConnection();
      runList(table);
    }
    const run = document.querySelector("[data-live-run]");
    if (run) runPage(run);
    const flowBox = document.querySelector("[data-live-flow-runs]");
    if (flowBox) {
      showConnection();
      flowRuns(flowBox);
    }
  });
})();
