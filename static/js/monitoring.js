/* Monitoring charts (Chart.js, vendored in static/vendor/chartjs). Finished runs arrive over /ws/; the page
 * then refetches the statistics from /api/v1/runs/stats, at most every two seconds. */
(function () {
  "use strict";

  function json(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function formatDuration(ms) {
    if (ms === null || ms === undefined) return "–";
    if (ms < 1000) return ms + " ms";
    if (ms < 60000) return (ms / 1000).toFixed(2) + " s";
    return Math.floor(ms / 60000) + " min " + Math.floor((ms % 60000) / 1000) + " s";
  }

  function bucketLabel(start, unit, language) {
    const date = new Date(start);
    if (unit === "hour") return date.toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" });
    return date.toLocaleDateString(language, { month: "short", day: "numeric" });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.querySelector("[data-monitoring]");
    if (!root || !window.Chart) return;
    const labels = json("monitoring-labels");
    let stats = json("monitoring-stats");
    const language = labels.language || document.documentElement.lang;
    const canvas = document.getElementById("runs-chart");
    const chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: [], datasets: [
        { label: labels.success, data: [], backgroundColor: "#2e9e5b", stack: "runs" },
        { label: labels.failed, data: [], backgroundColor: "#d64541", stack: "runs" },
        { label: labels.other, data: [], backgroundColor: "#a8b0bd", stack: "runs" },
      ] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
      },
    });

    function render() {
      chart.data.labels = stats.buckets.map((b) => bucketLabel(b.start, stats.unit, language));
      chart.data.datasets[0].data = stats.buckets.map((b) => b.success);
      chart.data.datasets[1].data = stats.buckets.map((b) => b.failed);
      chart.data.datasets[2].data = stats.buckets.map((b) => b.other);
      chart.update();
      root.dataset.total = String(stats.total);
      const set = (name, text) => {
        const element = root.querySelector('[data-stat="' + name + '"]');
        if (element) element.textContent = text;
      };
      set("total", String(stats.total));
      set("success_rate", stats.success_rate === null ? "–" : Math.round(stats.success_rate * 100) + "%");
      set("p50_ms", formatDuration(stats.p50_ms));
      set("p95_ms", formatDuration(stats.p95_ms));
      const list = root.querySelector("[data-top-errors]");
      if (list && stats.top_errors.length) {
        list.replaceChildren(
          ...stats.top_errors.map((error) => {
            const item = document.createElement("li");
            const count = document.createElement("strong");
            count.textContent = error.count + "× ";
            // As the page draws it: the step by its name and type label (never its id), then a link to the latest run.
            item.append(count, document.createTextNode(error.message + " "));
            if (error.node_id) {
              const step = document.createElement("span");
              step.className = "muted";
              step.dataset.testid = "top-error-step";
              step.textContent = "(" + (error.node_name || error.node_id) + (error.node_type ? " · " + error.node_type : "") + ") ";
              item.append(step);
            }
            const link = document.createElement("a");
            link.href = "/runs/" + error.last_run_id + "/";
            link.textContent = list.dataset.textLatest || "#" + error.last_run_id;
            item.append(link);
            return item;
          })
        );
      }
    }

    let timer = null;
    function refetch() {
      if (timer) return;
      timer = setTimeout(async () => {
        timer = null;
        const params = new URLSearchParams({ period: root.dataset.period });
        if (root.dataset.flow) params.set("flow", root.dataset.flow);
        if (root.dataset.tests) params.set("tests", "1");
        try {
          const response = await fetch(root.dataset.statsUrl + "?" + params.toString(), { credentials: "same-origin" });
          if (response.ok) {
            stats = await response.json();
            render();
          }
        } catch (error) {
          /* next event retries */
        }
      }, 2000);
    }

    render();
    if (window.EZLive) {
      const flow = root.dataset.flow ? Number(root.dataset.flow) : undefined;
      window.EZLive.subscribe(flow ? "flow" : "runs", flow, (message) => {
        if (message.type === "subscribed") {
          if (window.EZLive.missed(message, root.dataset.liveSince)) refetch();
        } else if (message.type === "resync" || ["run.success", "run.failed", "run.cancelled"].includes(message.type)) refetch();
      });
      const badge = document.querySelector("[data-live-status]");
      const text = document.documentElement.lang === "ko" ? { live: "실시간", connecting: "연결 중…", offline: "연결 끊김" } : { live: "Live", connecting: "Connecting…", offline: "Disconnected" };
      window.EZLive.onStatus((status) => {
        if (badge) {
          badge.textContent = text[status];
          badge.dataset.state = status;
        }
      });
    }
  });
})();
