import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  ReactFlow,
  Background,
  Controls,
  MiniMap,
  applyNodeChanges,
  applyEdgeChanges,
  useReactFlow,
} from "@xyflow/react";
import dagre from "@dagrejs/dagre";
import { get, patch, post, ApiError } from "./api.js";
import { EditorContext } from "./context.js";
import { nodeTypes } from "./nodes.jsx";
import { STICKY, connectionProblem, edgeOf, newId, portsOf, toFlow, toGraph, uniqueName } from "./graph.js";
import Palette from "./Palette.jsx";
import Panel from "./Panel.jsx";
import { HistoryPanel, ImportDialog, HelpOverlay, PublishDialog } from "./dialogs.jsx";
import { connectLive } from "./live.js";

const CLIPBOARD_KEY = "ezflow-editor-clipboard";
const CLIPBOARD_FORMAT = "ezflow/nodes";
const RUN_DONE = ["success", "failed", "cancelled"];
const NODE_STATUS = { success: "success", pinned: "success", failed: "error", running: "running", waiting: "waiting", skipped: "skipped", cancelled: "error" };

function isTyping(event) {
  const el = event.target;
  return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
}

function fieldPaths(value, prefix, depth, out) {
  if (out.length > 200) return;
  out.push(prefix);
  if (depth >= 3 || !value || typeof value !== "object" || Array.isArray(value)) return;
  for (const key of Object.keys(value)) {
    const part = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${prefix}.${key}` : `${prefix}[${JSON.stringify(key)}]`;
    fieldPaths(value[key], part, depth + 1, out);
  }
}

export default function App({ boot, t, labelOf }) {
  const flowApi = `/flows/${boot.flow_id}`;
  const readOnly = !boot.can_edit;
  const { screenToFlowPosition, flowToScreenPosition, fitView, getViewport, setViewport } = useReactFlow();

  const [loaded, setLoaded] = useState(false);
  const [fatal, setFatal] = useState(null);
  const [catalogList, setCatalogList] = useState([]);
  const [credentials, setCredentials] = useState([]);
  const [credentialTypes, setCredentialTypes] = useState([]);
  const [variableNames, setVariableNames] = useState([]);
  const [flow, setFlow] = useState(null);
  const [nodes, setNodes] = useState([]);
  const [edges, setEdges] = useState([]);
  const [pinned, setPinned] = useState({});
  const [problems, setProblems] = useState([]);
  const [saveState, setSaveState] = useState("saved");
  const [statuses, setStatuses] = useState({});
  const [outputs, setOutputs] = useState({});
  const [diff, setDiff] = useState(null);
  const [toasts, setToasts] = useState([]);
  const [dialog, setDialog] = useState(null);
  const [testing, setTesting] = useState(false);
  const [runInfo, setRunInfo] = useState(null);
  const [online, setOnline] = useState(navigator.onLine);
  const [paletteOpen, setPaletteOpen] = useState(window.innerWidth > 900);
  const [liveState, setLiveState] = useState("connecting");

  const baseGraph = useRef({});
  const revision = useRef(0);
  const dirty = useRef(0);
  const savedDirty = useRef(0);
  const saving = useRef(null);
  const stale = useRef(false);
  const undoStack = useRef([]);
  const redoStack = useRef([]);
  const live = useRef(null);
  const currentRun = useRef(null);
  const lastSeq = useRef(0);
  const searchRef = useRef(null);
  const state = useRef({});
  state.current = { nodes, edges, pinned, flow, outputs };

  const catalog = useMemo(() => Object.fromEntries(catalogList.map((spec) => [spec.key, spec])), [catalogList]);

  const toast = useCallback((message, kind = "info") => {
    const id = Math.random();
    setToasts((list) => [...list, { id, message, kind }]);
    setTimeout(() => setToasts((list) => list.filter((x) => x.id !== id)), kind === "error" ? 8000 : 4000);
  }, []);

  const errorText = useCallback(
    (exc) => {
      if (exc instanceof ApiError && exc.code === "offline") return t("You are offline. Your changes are kept here and saved when you are back online.");
      if (exc instanceof ApiError && exc.message) {
        const details = Object.values(exc.fields || {}).flat().map((f) => (f && f.message) || "").filter(Boolean);
        return [exc.message, ...details].join(" ");
      }
      return t("Something went wrong. Please try again.");
    },
    [t],
  );

  // ---- loading -------------------------------------------------------------------------------------------------
  const applyGraph = useCallback((graph) => {
    const { pinned: pins, nodes: _n, edges: _e, ...rest } = graph || {};
    baseGraph.current = rest;
    const converted = toFlow(graph || {});
    setNodes(converted.nodes);
    setEdges(converted.edges);
    setPinned(pins || {});
  }, []);

  const loadRunOutputs = useCallback(async (runId) => {
    const run = await get(`/runs/${runId}`);
    const nextStatuses = {};
    const nextOutputs = {};
    for (const nr of run.node_runs || []) {
      nextStatuses[nr.node_id] = { status: NODE_STATUS[nr.status] || nr.status, count: nr.items_out, error: nr.error || "" };
      if (nr.output_sample) nextOutputs[nr.node_id] = nr.output_sample;
    }
    setStatuses(nextStatuses);
    setOutputs((prev) => ({ ...prev, ...nextOutputs }));
    lastSeq.current = run.seq || 0;
    setRunInfo(run);
    return run;
  }, []);

  const validate = useCallback(async () => {
    try {
      const result = await post(`${flowApi}/validate`, {});
      setProblems(result.problems || []);
    } catch (exc) {
      /* validation is advisory; saving already reported any error */
    }
  }, [flowApi]);

  useEffect(() => {
    (async () => {
      try {
        const [nodeCatalog, flowData] = await Promise.all([get("/nodes"), get(flowApi)]);
        setCatalogList(nodeCatalog);
        setFlow(flowData);
        revision.current = flowData.draft_revision;
        applyGraph(flowData.graph);
        setLoaded(true);
        validate();
        Promise.all([get("/credentials"), get("/credentials/types")])
          .then(([creds, types]) => {
            setCredentials(creds);
            setCredentialTypes(types);
          })
          .catch(() => {});
        get("/variables")
          .then((list) => setVariableNames(list.map((v) => v.name)))
          .catch(() => {});
        const runs = await get(`/runs?flow=${boot.flow_id}&trigger=test`).catch(() => null);
        const latest = runs && (runs.results || runs)[0];
        if (latest) await loadRunOutputs(latest.id);
      } catch (exc) {
        setFatal(errorText(exc));
      }
    })();
  }, []);

  useEffect(() => {
    // Only with steps: React Flow would otherwise keep the request and zoom onto the first step dropped later.
    if (loaded && state.current.nodes.length) setTimeout(() => fitView({ padding: 0.3, maxZoom: 1.2 }), 50);
  }, [loaded]);

  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
    };
  }, []);

  // ---- saving ----------------------------------------------------------------------------------------------------
  const markDirty = useCallback(() => {
    dirty.current += 1;
    setSaveState((s) => (s === "stale" ? s : "dirty"));
  }, []);

  const failedDirty = useRef(-1);
  const save = useCallback(async () => {
    if (readOnly || stale.current) return;
    if (saving.current) {
      await saving.current;
      if (dirty.current === savedDirty.current) return;
    }
    const target = dirty.current;
    const { nodes: n, edges: e, pinned: p } = state.current;
    const graph = toGraph(baseGraph.current, n, e, p);
    // Too big for the server to accept: say so in words (the work stays here) instead of sending it.
    const size = new Blob([JSON.stringify({ graph, revision: revision.current })]).size;
    if (boot.max_body_bytes && size > boot.max_body_bytes) {
      failedDirty.current = target;
      setSaveState("error");
      const mb = (bytes) => (bytes / 1048576).toFixed(1);
      toast(t("This flow is too large to save ({size} MB; at most {max} MB). Shorten a long text or clear pinned test data.").replace("{size}", mb(size)).replace("{max}", mb(boot.max_body_bytes)), "error");
      return;
    }
    setSaveState("saving");
    saving.current = (async () => {
      try {
        const result = await patch(flowApi, { graph, revision: revision.current });
        revision.current = result.draft_revision;
        savedDirty.current = target;
        setFlow((f) => ({ ...f, ...result, graph: undefined }));
        setSaveState(dirty.current === target ? "saved" : "dirty");
        validate();
      } catch (exc) {
        if (exc.status === 409) {
          stale.current = true;
          setSaveState("stale");
        } else {
          setSaveState("error");
          // Not retried until the next change (a refusal would come back every few moments); offline is retried.
          if (exc.code !== "offline") failedDirty.current = target;
          toast(errorText(exc), "error");
        }
      } finally {
        saving.current = null;
      }
    })();
    await saving.current;
  }, [flowApi, readOnly, validate, toast, errorText, t, boot]);

  const flush = useCallback(async () => {
    if (saving.current) await saving.current;
    if (dirty.current !== savedDirty.current) await save();
    return !stale.current;
  }, [save]);

  useEffect(() => {
    if (readOnly) return undefined;
    const timer = setInterval(() => {
      if (!saving.current && !stale.current && dirty.current !== savedDirty.current && dirty.current !== failedDirty.current && navigator.onLine) save();
    }, 700);
    const beforeUnload = (event) => {
      if (dirty.current !== savedDirty.current) {
        event.preventDefault();
        event.returnValue = "";
      }
    };
    window.addEventListener("beforeunload", beforeUnload);
    return () => {
      clearInterval(timer);
      window.removeEventListener("beforeunload", beforeUnload);
    };
  }, [save, readOnly]);

  const overwrite = useCallback(async () => {
    try {
      const current = await get(flowApi);
      revision.current = current.draft_revision;
      stale.current = false;
      dirty.current += 1;
      await save();
      toast(t("Your version is saved and replaces the other change."));
    } catch (exc) {
      toast(errorText(exc), "error");
    }
  }, [flowApi, save, toast, t, errorText]);

  // ---- undo / redo -----------------------------------------------------------------------------------------------
  const snapshot = useCallback(() => {
    const { nodes: n, edges: e, pinned: p } = state.current;
    return { nodes: n.map((x) => ({ ...x, selected: false })), edges: e.map((x) => ({ ...x, selected: false })), pinned: p };
  }, []);

  const remember = useCallback(() => {
    undoStack.current.push(snapshot());
    if (undoStack.current.length > 100) undoStack.current.shift();
    redoStack.current = [];
  }, [snapshot]);

  const restore = useCallback(
    (from, to) => {
      const previous = from.current.pop();
      if (!previous) return;
      to.current.push(snapshot());
      setNodes(previous.nodes);
      setEdges(previous.edges);
      setPinned(previous.pinned);
      markDirty();
    },
    [snapshot, markDirty],
  );
  const undo = useCallback(() => restore(undoStack, redoStack), [restore]);
  const redo = useCallback(() => restore(redoStack, undoStack), [restore]);

  // ---- graph edits -----------------------------------------------------------------------------------------------
  // Sizes of the steps drawn only for a version comparison (not in `nodes`): React Flow needs them back on those
  // steps, or it forgets where their ports are and does not draw their connections.
  const [ghostSizes, setGhostSizes] = useState({});
  const onNodesChange = useCallback(
    (changes) => {
      const ghosts = changes.filter((c) => c.type === "dimensions" && c.dimensions && String(c.id).startsWith("removed:"));
      if (ghosts.length) setGhostSizes((g) => ({ ...g, ...Object.fromEntries(ghosts.map((c) => [c.id, c.dimensions])) }));
      const relevant = readOnly ? changes.filter((c) => c.type === "select" || c.type === "dimensions") : changes;
      setNodes((list) => applyNodeChanges(relevant, list));
      if (relevant.some((c) => (c.type === "position" && c.dragging === false) || c.type === "remove" || (c.type === "dimensions" && c.resizing)))
        markDirty();
    },
    [markDirty, readOnly],
  );
  const onEdgesChange = useCallback(
    (changes) => {
      const relevant = readOnly ? changes.filter((c) => c.type === "select") : changes;
      setEdges((list) => applyEdgeChanges(relevant, list));
      if (relevant.some((c) => c.type === "remove")) markDirty();
    },
    [markDirty, readOnly],
  );

  const isValidConnection = useCallback(
    (connection) => !connectionProblem(connection, state.current.nodes, state.current.edges, catalog),
    [catalog],
  );

  const connect = useCallback(
    (connection) => {
      const problem = connectionProblem(connection, state.current.nodes, state.current.edges, catalog);
      if (problem) {
        toast(t(problem), "error");
        return false;
      }
      remember();
      setEdges((list) => [...list, edgeOf(connection.source, connection.sourceHandle || "main", connection.target, connection.targetHandle || "main")]);
      markDirty();
      return true;
    },
    [catalog, remember, markDirty, toast, t],
  );

  const onConnectEnd = useCallback(
    (event, connectionState) => {
      if (readOnly || !connectionState || !connectionState.fromNode) return;
      if (connectionState.isValid) return;
      const point = "changedTouches" in event && event.changedTouches.length ? event.changedTouches[0] : event;
      const under = document.elementFromPoint(point.clientX, point.clientY);
      const nodeElement = under && under.closest(".react-flow__node");
      const targetId = (connectionState.toNode && connectionState.toNode.id) || (nodeElement && nodeElement.getAttribute("data-id"));
      if (!targetId) return;
      const fromIsSource = connectionState.fromHandle ? connectionState.fromHandle.type === "source" : true;
      const fromId = connectionState.fromNode.id;
      const fromPort = (connectionState.fromHandle && connectionState.fromHandle.id) || "main";
      const target = state.current.nodes.find((n) => n.id === targetId);
      const spec = target && catalog[target.data.ntype];
      const connection = fromIsSource
        ? { source: fromId, sourceHandle: fromPort, target: targetId, targetHandle: (connectionState.toHandle && connectionState.toHandle.id) || (spec && spec.inputs[0]) || "main" }
        : { source: targetId, sourceHandle: (spec && target && portsOf(spec, target).outputs[0]) || "main", target: fromId, targetHandle: fromPort };
      connect(connection);
    },
    [readOnly, catalog, connect],
  );

  const addNode = useCallback(
    (key, position, options = {}) => {
      const spec = catalog[key];
      if (!spec || readOnly) return null;
      remember();
      const current = state.current.nodes;
      const selected = current.filter((n) => n.selected);
      const after = options.after === undefined ? (selected.length === 1 ? selected[0] : null) : options.after;
      let where = position;
      if (!where && after) where = { x: after.position.x + 260, y: after.position.y };
      if (!where) {
        const rightmost = current.filter((n) => n.type !== "sticky").reduce((best, n) => (!best || n.position.x > best.position.x ? n : best), null);
        where = rightmost ? { x: rightmost.position.x + 260, y: rightmost.position.y } : screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 });
      }
      const id = newId(key);
      const parameters = {};
      for (const p of spec.parameters) if (p.default !== null && p.default !== undefined) parameters[p.name] = p.default;
      const node = {
        id,
        type: key === STICKY ? "sticky" : "ez",
        position: where,
        selected: true,
        data: { ntype: key, type_version: spec.version, name: uniqueName(current, labelOf(spec.label)), parameters, settings: {} },
      };
      if (key === STICKY) node.style = { width: 220, height: 120 };
      setNodes((list) => [...list.map((n) => ({ ...n, selected: false })), node]);
      if (after && key !== STICKY && spec.inputs.length && !spec.is_trigger) {
        const afterSpec = catalog[after.data.ntype];
        const port = afterSpec ? portsOf(afterSpec, after).outputs[0] : "main";
        if (port) setEdges((list) => [...list, edgeOf(after.id, port, id, spec.inputs[0])]);
      }
      markDirty();
      return node;
    },
    [catalog, readOnly, remember, markDirty, screenToFlowPosition, labelOf],
  );

  // A step added by click may land outside the visible canvas: bring it into view.
  const addFromPalette = useCallback(
    (key) => {
      const node = addNode(key);
      const canvas = document.querySelector(".ez-canvas");
      if (!node || !canvas) return;
      const box = canvas.getBoundingClientRect();
      const panelWidth = window.innerWidth > 900 ? 380 : 0; // the step panel opens over the right side
      const corner = flowToScreenPosition(node.position);
      const viewport = getViewport();
      const [width, height] = [240 * viewport.zoom, 90 * viewport.zoom];
      // Pan only as far as needed, so the step it follows stays in view too.
      let dx = 0;
      let dy = 0;
      if (corner.x + width > box.right - panelWidth - 20) dx = corner.x + width - (box.right - panelWidth - 20);
      if (corner.x - dx < box.left + 20) dx = corner.x - (box.left + 20);
      if (corner.y + height > box.bottom - 20) dy = corner.y + height - (box.bottom - 20);
      if (corner.y - dy < box.top + 20) dy = corner.y - (box.top + 20);
      if (dx || dy) setViewport({ x: viewport.x - dx, y: viewport.y - dy, zoom: viewport.zoom }, { duration: 150 });
    },
    [addNode, flowToScreenPosition, setViewport, getViewport],
  );

  const onDrop = useCallback(
    (event) => {
      event.preventDefault();
      const key = event.dataTransfer.getData("application/x-ezflow-node");
      if (!key) return;
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addNode(key, { x: position.x - 90, y: position.y - 25 }, { after: null });
    },
    [addNode, screenToFlowPosition],
  );

  const lastEdit = useRef({ id: null, at: 0 });
  const updateNodeData = useCallback(
    (id, changes) => {
      // Typing in a field is one undo step, not one per key.
      const now = Date.now();
      if (lastEdit.current.id !== id || now - lastEdit.current.at > 1500) remember();
      lastEdit.current = { id, at: now };
      setNodes((list) => list.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...changes } } : n)));
      // A field the person just changed no longer shows the server's old complaint; the next check after saving
      // brings it back if it still applies.
      if (changes.parameters) {
        const before = (state.current.nodes.find((n) => n.id === id) || { data: {} }).data.parameters || {};
        const edited = Object.keys(changes.parameters).filter((k) => JSON.stringify(changes.parameters[k]) !== JSON.stringify(before[k]));
        if (edited.length)
          setProblems((list) =>
            list.filter((p) => p.node_id !== id || !edited.some((k) => p.path === `parameters.${k}` || (p.path || "").startsWith(`parameters.${k}.`) || (p.path || "").startsWith(`parameters.${k}[`))),
          );
      }
      markDirty();
    },
    [remember, markDirty],
  );

  const rename = useCallback(
    (id, name) => {
      const others = state.current.nodes.filter((n) => n.id !== id);
      if (others.some((n) => n.data.name === name)) {
        toast(t("Another step already has this name. Give each step its own name."), "error");
        return false;
      }
      updateNodeData(id, { name });
      return true;
    },
    [updateNodeData, toast, t],
  );

  const deleteSelected = useCallback(() => {
    const { nodes: n, edges: e } = state.current;
    const gone = new Set(n.filter((x) => x.selected).map((x) => x.id));
    const goneEdges = new Set(e.filter((x) => x.selected).map((x) => x.id));
    if (!gone.size && !goneEdges.size) return;
    remember();
    setNodes(n.filter((x) => !gone.has(x.id)));
    setEdges(e.filter((x) => !goneEdges.has(x.id) && !gone.has(x.source) && !gone.has(x.target)));
    markDirty();
  }, [remember, markDirty]);

  const copyPayload = useCallback(() => {
    const { nodes: n, edges: e, pinned: p } = state.current;
    const chosen = n.filter((x) => x.selected);
    if (!chosen.length) return null;
    const ids = new Set(chosen.map((x) => x.id));
    const graph = toGraph({}, chosen, e.filter((x) => ids.has(x.source) && ids.has(x.target)), p);
    return JSON.stringify({ format: CLIPBOARD_FORMAT, nodes: graph.nodes, edges: graph.edges, pinned: graph.pinned });
  }, []);

  const pasteText = useCallback(
    (text) => {
      if (readOnly) return false;
      let data;
      try {
        data = JSON.parse(text);
      } catch (exc) {
        return false;
      }
      if (!data || (data.format !== CLIPBOARD_FORMAT && data.format !== "ezflow/1") || !Array.isArray(data.nodes)) return false;
      remember();
      const current = state.current.nodes;
      const taken = [...current];
      const idMap = {};
      const minX = Math.min(...data.nodes.map((x) => (x.position ? x.position[0] : 0)));
      const minY = Math.min(...data.nodes.map((x) => (x.position ? x.position[1] : 0)));
      const viewport = getViewport();
      const origin = screenToFlowPosition({ x: window.innerWidth / 2 - 120, y: window.innerHeight / 2 - 60 });
      const fresh = toFlow({ nodes: data.nodes, edges: [] }).nodes.map((node) => {
        const id = newId(node.data.ntype);
        idMap[node.id] = id;
        const name = uniqueName(taken, node.data.name);
        const made = {
          ...node,
          id,
          selected: true,
          position: { x: origin.x + (node.position.x - minX) + 30 * (viewport.zoom ? 1 : 0), y: origin.y + (node.position.y - minY) },
          data: { ...node.data, name },
        };
        taken.push(made);
        return made;
      });
      const freshEdges = (data.edges || [])
        .filter((x) => idMap[x.source] && idMap[x.target])
        .map((x) => edgeOf(idMap[x.source], x.source_port || "main", idMap[x.target], x.target_port || "main"));
      setNodes((list) => [...list.map((n) => ({ ...n, selected: false })), ...fresh]);
      setEdges((list) => [...list, ...freshEdges]);
      const pins = {};
      for (const [old, items] of Object.entries(data.pinned || {})) if (idMap[old]) pins[idMap[old]] = items;
      if (Object.keys(pins).length) setPinned((p) => ({ ...p, ...pins }));
      markDirty();
      toast(t("{n} steps pasted.").replace("{n}", fresh.length));
      return true;
    },
    [readOnly, remember, markDirty, getViewport, screenToFlowPosition, toast, t],
  );

  const copy = useCallback(
    async (cut = false) => {
      const payload = copyPayload();
      if (!payload) return;
      localStorage.setItem(CLIPBOARD_KEY, payload);
      try {
        await navigator.clipboard.writeText(payload);
      } catch (exc) {
        /* the local copy above still works across this browser's tabs */
      }
      if (cut) deleteSelected();
      else toast(t("Copied. Paste with Ctrl+V here or in another flow."));
    },
    [copyPayload, deleteSelected, toast, t],
  );

  const paste = useCallback(async () => {
    let text = null;
    try {
      text = await navigator.clipboard.readText();
    } catch (exc) {
      text = null;
    }
    if (!text || !pasteText(text)) {
      const stored = localStorage.getItem(CLIPBOARD_KEY);
      if (!stored || !pasteText(stored)) toast(t("There is nothing to paste. Copy steps first."), "error");
    }
  }, [pasteText, toast, t]);

  const duplicate = useCallback(() => {
    const payload = copyPayload();
    if (payload) pasteText(payload);
  }, [copyPayload, pasteText]);

  const autoLayout = useCallback(() => {
    const { nodes: n, edges: e } = state.current;
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: "LR", nodesep: 50, ranksep: 90 });
    g.setDefaultEdgeLabel(() => ({}));
    const flowNodes = n.filter((x) => x.type !== "sticky");
    for (const x of flowNodes) g.setNode(x.id, { width: (x.measured && x.measured.width) || 200, height: (x.measured && x.measured.height) || 60 });
    for (const x of e) if (g.hasNode(x.source) && g.hasNode(x.target)) g.setEdge(x.source, x.target);
    dagre.layout(g);
    remember();
    setNodes(
      n.map((x) => {
        if (x.type === "sticky") return x;
        const p = g.node(x.id);
        return { ...x, position: { x: p.x - p.width / 2, y: p.y - p.height / 2 } };
      }),
    );
    markDirty();
    setTimeout(() => fitView({ padding: 0.3, maxZoom: 1.2 }), 50);
  }, [remember, markDirty, fitView]);

  const setPin = useCallback(
    (id, items) => {
      remember();
      setPinned((p) => {
        const next = { ...p };
        if (items === null) delete next[id];
        else next[id] = items;
        return next;
      });
      markDirty();
      toast(items === null ? t("Pinned data cleared.") : t("Test data pinned. Test runs use it instead of running this step."));
    },
    [remember, markDirty, toast, t],
  );

  // ---- live runs -------------------------------------------------------------------------------------------------
  const announced = useRef(null);
  const finished = useCallback(
    (run) => {
      if (!RUN_DONE.includes(run.status) || currentRun.current !== run.id || announced.current === run.id) return;
      announced.current = run.id;
      setTesting(false);
      const ok = run.status === "success";
      toast(ok ? t("The test run finished successfully.") : `${t("The test run failed.")} ${run.error || ""}`, ok ? "info" : "error");
    },
    [toast, t],
  );

  const onLive = useCallback(
    (message) => {
      const runId = currentRun.current;
      if (message.type === "subscribed" && message.page === "run" && runId && message.id === runId) {
        // The answer to our subscription carries the run's seq now: events before it were not sent to us.
        if (typeof message.seq === "number" && message.seq > lastSeq.current) {
          loadRunOutputs(runId)
            .then(finished)
            .catch(() => null);
        }
        return;
      }
      if (!runId || message.run_id !== runId) return;
      if (message.seq && lastSeq.current && message.seq > lastSeq.current + 1 && message.type !== "nodes") loadRunOutputs(runId);
      if (message.type === "nodes") {
        setStatuses((s) => {
          const next = { ...s };
          for (const ev of message.events || []) {
            if (ev.type === "node.started") next[ev.node_id] = { status: "running" };
            else if (ev.type === "node.finished") next[ev.node_id] = { status: "success", count: ev.items_out };
            else if (ev.type === "node.failed") next[ev.node_id] = { status: "error" };
            lastSeq.current = Math.max(lastSeq.current, ev.seq || 0);
          }
          return next;
        });
      } else if (message.type && message.type.startsWith("run.")) {
        setRunInfo((r) => ({ ...(r || {}), status: message.status }));
        if (RUN_DONE.includes(message.status)) loadRunOutputs(runId).then(finished);
      }
    },
    [loadRunOutputs, finished],
  );

  useEffect(() => {
    if (!loaded) return undefined;
    const connection = connectLive({
      path: boot.ws_path,
      onMessage: (m) => onLiveRef.current(m),
      onOpen: () => {
        setLiveState("open");
        if (currentRun.current) loadRunOutputs(currentRun.current);
      },
      onClose: () => setLiveState("closed"),
    });
    connection.subscribe("flow", boot.flow_id);
    live.current = connection;
    return () => connection.close();
  }, [loaded]);
  const onLiveRef = useRef(onLive);
  onLiveRef.current = onLive;

  // Without a live connection, ask the server until the run ends.
  useEffect(() => {
    if (!testing) return undefined;
    const timer = setInterval(async () => {
      if (!currentRun.current || (live.current && live.current.isOpen())) return;
      const run = await loadRunOutputs(currentRun.current).catch(() => null);
      if (run) finished(run);
    }, 1500);
    return () => clearInterval(timer);
  }, [testing, loadRunOutputs, finished]);

  const runFlow = useCallback(async () => {
    if (readOnly || testing) return;
    if (!(await flush())) return;
    setTesting(true);
    setStatuses({});
    try {
      const run = await post(`${flowApi}/run`, { draft: true });
      currentRun.current = run.id;
      lastSeq.current = run.seq || 0;
      setRunInfo(run);
      // The answer to this subscription says whether the run moved on before it (see onLive).
      if (live.current) live.current.subscribe("run", run.id);
    } catch (exc) {
      setTesting(false);
      toast(errorText(exc), "error");
    }
  }, [readOnly, testing, flush, flowApi, loadRunOutputs, finished, toast, errorText]);

  // ---- expressions -----------------------------------------------------------------------------------------------
  const itemsOf = useCallback((id, port) => {
    const { pinned: p, outputs: o } = state.current;
    if (p[id]) return p[id];
    const sample = o[id];
    if (!sample) return null;
    const chosen = (port && sample[port]) || sample.main || Object.values(sample)[0];
    return chosen ? chosen.items || [] : null;
  }, []);

  // What reaches a step: the last output of the step before it, or, when that step has not run yet, what reached
  // that step (most steps pass fields on), so expressions can be previewed before everything was tested.
  const inputOf = useCallback(
    (id, depth = 0) => {
      const incoming = state.current.edges.filter((e) => e.target === id);
      for (const e of incoming) {
        const items = itemsOf(e.source, e.sourceHandle);
        if (items) return items;
      }
      if (depth < 10) {
        for (const e of incoming) {
          const items = inputOf(e.source, depth + 1);
          if (items) return items;
        }
      }
      return null;
    },
    [itemsOf],
  );

  const ancestors = useCallback((id) => {
    const { edges: e, nodes: n } = state.current;
    const seen = new Set();
    const stack = [id];
    while (stack.length) {
      const current = stack.pop();
      for (const edge of e) if (edge.target === current && !seen.has(edge.source)) {
        seen.add(edge.source);
        stack.push(edge.source);
      }
    }
    return n.filter((x) => seen.has(x.id));
  }, []);

  const testNode = useCallback(
    async (id) => {
      if (!(await flush())) return;
      setTesting(true);
      setStatuses((s) => ({ ...s, [id]: { status: "running" } }));
      try {
        // With what reached it last time (pinned or tested earlier steps); else the server uses pinned data.
        const items = inputOf(id);
        const result = await post(`${flowApi}/test-node`, items ? { node_id: id, items } : { node_id: id });
        setStatuses((s) => ({ ...s, [id]: { status: NODE_STATUS[result.status] || result.status, count: result.items_out, error: result.error || "" } }));
        setOutputs((o) => ({ ...o, [id]: result.outputs }));
        if (result.error) toast(result.error, "error");
      } catch (exc) {
        setStatuses((s) => ({ ...s, [id]: { status: "error" } }));
        toast(errorText(exc), "error");
      } finally {
        setTesting(false);
      }
    },
    [flush, flowApi, toast, errorText, inputOf],
  );

  const preview = useCallback(
    async (nodeId, value) => {
      const input = inputOf(nodeId) || [{}];
      const known = inputOf(nodeId) || ancestors(nodeId).some((a) => itemsOf(a.id));
      if (!known && /\b(json|nodes)\b/.test(value)) return { note: t("Test the earlier steps to preview this value with their data.") };
      const nodesData = {};
      for (const a of ancestors(nodeId)) {
        const items = itemsOf(a.id);
        if (items) nodesData[a.data.name] = items.slice(0, 20);
      }
      try {
        const result = await post(`${flowApi}/expression`, { value, item: input[0] || {}, nodes: nodesData });
        return result.ok ? { text: typeof result.value === "string" ? result.value : JSON.stringify(result.value) } : { error: result.error };
      } catch (exc) {
        return { error: errorText(exc) };
      }
    },
    // outputs and pinned: a new test result previews again
    [flowApi, inputOf, ancestors, itemsOf, errorText, t, outputs, pinned],
  );

  const createCredential = useCallback(async (body) => {
    const created = await post("/credentials", body);
    setCredentials((list) => [...list, created]);
    return created;
  }, []);

  // ---- publishing, activation, history ---------------------------------------------------------------------------
  const publish = useCallback(
    async (message) => {
      if (!(await flush())) return false;
      try {
        const version = await post(`${flowApi}/publish`, { message });
        setFlow((f) => ({ ...f, published_version: version.number }));
        toast(t("Published as version {n}.").replace("{n}", version.number));
        return true;
      } catch (exc) {
        if (exc.body && exc.body.error && exc.body.error.problems) setProblems(exc.body.error.problems);
        else validate();
        toast(errorText(exc), "error");
        return false;
      }
    },
    [flush, flowApi, toast, t, errorText, validate],
  );

  const setActive = useCallback(
    async (active) => {
      try {
        const result = await post(`${flowApi}/${active ? "activate" : "deactivate"}`, {});
        setFlow((f) => ({ ...f, active: result.active }));
        toast(result.active ? t("The flow is on: its trigger now starts runs.") : t("The flow is off."));
      } catch (exc) {
        toast(errorText(exc), "error");
      }
    },
    [flowApi, toast, t, errorText],
  );

  const webhookUrl = flow ? `${window.location.origin}${flow.webhook_path}` : "";
  const copyWebhook = useCallback(async () => {
    try {
      await navigator.clipboard.writeText(webhookUrl);
      toast(t("Webhook address copied."));
    } catch (exc) {
      window.prompt(t("Copy the webhook address:"), webhookUrl);
    }
  }, [webhookUrl, toast, t]);

  const showDiff = useCallback(
    async (number) => {
      if (number === null) {
        setDiff(null);
        return;
      }
      try {
        const result = await get(`${flowApi}/versions/diff?from=${number}&to=draft`);
        const marks = {};
        for (const n of result.nodes.added) marks[n.id] = "added";
        for (const n of result.nodes.changed) if (Object.keys(n.changes).some((k) => k !== "position")) marks[n.id] = "changed";
        const typeOf = Object.fromEntries(state.current.nodes.map((n) => [n.id, n.data.ntype]));
        const changed = result.nodes.changed.map((n) => ({ ...n, type: typeOf[n.id] }));
        setDiff({ number, marks, removed: result.nodes.removed, changed, edges: result.edges });
      } catch (exc) {
        toast(errorText(exc), "error");
      }
    },
    [flowApi, toast, errorText],
  );

  const restoreVersion = useCallback(
    async (number) => {
      if (!(await flush())) return;
      try {
        const result = await post(`${flowApi}/versions/${number}/restore`, {});
        remember();
        revision.current = result.draft_revision;
        applyGraph(result.graph);
        setDiff(null);
        setDialog(null);
        toast(t("Version {n} is back in the draft. Publish to make it live.").replace("{n}", number));
        validate();
      } catch (exc) {
        toast(errorText(exc), "error");
      }
    },
    [flush, flowApi, remember, applyGraph, toast, t, errorText, validate],
  );

  const exportFlow = useCallback(async () => {
    try {
      const data = await get(`${flowApi}/export`);
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `${(flow && flow.name) || "flow"}.ezflow.json`;
      document.body.appendChild(link);
      link.click();
      link.remove();
    } catch (exc) {
      toast(errorText(exc), "error");
    }
  }, [flowApi, flow, toast, errorText]);

  const renameFlow = useCallback(
    async (name) => {
      try {
        const result = await patch(flowApi, { name });
        setFlow((f) => ({ ...f, name: result.name }));
      } catch (exc) {
        toast(errorText(exc), "error");
      }
    },
    [flowApi, toast, errorText],
  );

  // ---- keyboard --------------------------------------------------------------------------------------------------
  useEffect(() => {
    const onKey = (event) => {
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (event.key === "Escape" && dialog) {
        setDialog(null);
        return;
      }
      if (isTyping(event)) {
        if (mod && key === "s") {
          event.preventDefault();
          flush();
        }
        return;
      }
      if (mod && key === "z" && !event.shiftKey) {
        event.preventDefault();
        if (!readOnly) undo();
      } else if (mod && (key === "y" || (key === "z" && event.shiftKey))) {
        event.preventDefault();
        if (!readOnly) redo();
      } else if (mod && key === "c") {
        event.preventDefault();
        copy(false);
      } else if (mod && key === "x" && !readOnly) {
        event.preventDefault();
        copy(true);
      } else if (mod && key === "v" && !readOnly) {
        event.preventDefault();
        paste();
      } else if (mod && key === "d" && !readOnly) {
        event.preventDefault();
        duplicate();
      } else if (mod && key === "s") {
        event.preventDefault();
        flush();
      } else if (mod && key === "enter") {
        event.preventDefault();
        runFlow();
      } else if (mod && key === "a") {
        event.preventDefault();
        setNodes((list) => list.map((n) => ({ ...n, selected: true })));
      } else if ((event.key === "Delete" || event.key === "Backspace") && !readOnly) {
        event.preventDefault();
        deleteSelected();
      } else if (event.key === "?" ) {
        setDialog(dialog === "help" ? null : "help");
      } else if (key === "f" && !mod) {
        fitView({ padding: 0.3, maxZoom: 1.2 });
      } else if (key === "l" && event.shiftKey && !readOnly) {
        autoLayout();
      } else if (event.key === "/") {
        event.preventDefault();
        setPaletteOpen(true);
        setTimeout(() => {
          if (!searchRef.current) return;
          searchRef.current.focus();
          searchRef.current.select(); // typing replaces the last search
        }, 0);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [dialog, readOnly, undo, redo, copy, paste, duplicate, flush, runFlow, deleteSelected, fitView, autoLayout]);

  // ---- rendering -------------------------------------------------------------------------------------------------
  const problemsByNode = useMemo(() => {
    const map = {};
    for (const p of problems) if (p.node_id) (map[p.node_id] = map[p.node_id] || []).push(p);
    return map;
  }, [problems]);

  const displayNodes = useMemo(
    () => [
      ...nodes.map((n) => {
        const s = statuses[n.id];
        const extra = {
          status: s ? s.status : undefined,
          count: s ? s.count : undefined,
          problems: problemsByNode[n.id],
          diff: diff ? diff.marks[n.id] : undefined,
          pinned: !!pinned[n.id],
        };
        const spec = catalog[n.data.ntype];
        const status = extra.status ? `, ${t(`status:${extra.status}`)}` : "";
        return { ...n, ariaLabel: `${n.data.name} (${spec ? labelOf(spec.label) : n.data.ntype})${status}`, data: { ...n.data, ...extra } };
      }),
      // While comparing with a version, its removed steps are drawn faded where they were (not part of the draft).
      ...(diff
        ? toFlow({ nodes: diff.removed, edges: [] }).nodes.map((n) => ({
            ...n,
            id: `removed:${n.id}`,
            ...(ghostSizes[`removed:${n.id}`] ? { measured: ghostSizes[`removed:${n.id}`] } : {}),
            // Where its ports are until React Flow has measured it, so its removed connections are drawn either way.
            initialWidth: 180,
            initialHeight: 56,
            handles: (diff.edges.removed || []).flatMap((e) => [
              ...(e.source === n.id ? [{ id: e.source_port || "main", type: "source", position: "right", x: 176, y: 26, width: 8, height: 8 }] : []),
              ...(e.target === n.id ? [{ id: e.target_port || "main", type: "target", position: "left", x: -4, y: 26, width: 8, height: 8 }] : []),
            ]),
            draggable: false,
            selectable: false,
            connectable: false,
            focusable: false,
            data: { ...n.data, diff: "removed" },
          }))
        : []),
    ],
    [nodes, statuses, problemsByNode, diff, ghostSizes, pinned, catalog, t, labelOf],
  );

  const displayEdges = useMemo(() => {
    const current = edges.map((e) => {
      const s = statuses[e.source];
      const added = diff && diff.edges.added.some((x) => x.source === e.source && x.target === e.target);
      return { ...e, animated: s && s.status === "running", className: [s && s.status === "success" ? "done" : "", added ? "diff-added" : ""].join(" ") };
    });
    if (!diff) return current;
    // Removed connections are drawn dashed and faded between where their ends are (or were, for removed steps).
    const gone = new Set(diff.removed.map((n) => n.id));
    const present = new Set(nodes.map((n) => n.id));
    const end = (id) => (gone.has(id) ? `removed:${id}` : present.has(id) ? id : null);
    const removed = [];
    for (const e of diff.edges.removed || []) {
      const source = end(e.source);
      const target = end(e.target);
      if (!source || !target) continue;
      const edge = edgeOf(source, e.source_port || "main", target, e.target_port || "main");
      removed.push({ ...edge, id: `removed:${edge.id}`, selectable: false, focusable: false, deletable: false, className: "diff-removed" });
    }
    return [...current, ...removed];
  }, [edges, nodes, statuses, diff]);

  const selectedNodes = nodes.filter((n) => n.selected);
  const selected = selectedNodes.length === 1 ? selectedNodes[0] : null;

  const fields = useMemo(() => {
    if (!selected) return [];
    const out = [];
    const input = inputOf(selected.id);
    if (input && input[0]) for (const key of Object.keys(input[0])) fieldPaths(input[0][key], `json.${key}`, 1, out);
    for (const a of ancestors(selected.id)) {
      const items = itemsOf(a.id);
      if (items && items[0]) for (const key of Object.keys(items[0])) fieldPaths(items[0][key], `nodes[${JSON.stringify(a.data.name)}].json.${key}`, 1, out);
    }
    out.push(...variableNames.map((name) => `vars.${name}`), "index", "now()", "today()", "flow.name", "run.id");
    return [...new Set(out)];
  }, [selected && selected.id, edges, outputs, pinned, nodes.length, variableNames]);

  const context = useMemo(
    () => ({
      catalog,
      catalogList,
      t,
      labelOf,
      readOnly,
      preview,
      credentials,
      credentialTypes,
      createCredential,
      canManageCredentials: ["owner", "admin"].includes(boot.role),
      webhookUrl,
      copyWebhook,
    }),
    [catalog, catalogList, t, labelOf, readOnly, preview, credentials, credentialTypes, createCredential, webhookUrl, copyWebhook],
  );

  if (fatal) return <div className="ez-fatal" role="alert">{fatal}</div>;
  if (!loaded) return <div className="ez-loading">{t("Loading the editor…")}</div>;

  const saveLabel = {
    saved: t("All changes saved"),
    dirty: t("Unsaved changes…"),
    saving: t("Saving…"),
    error: t("Not saved"),
    stale: t("Not saved: changed elsewhere"),
  }[saveState];
  const hasWebhook = nodes.some((n) => n.data.ntype === "trigger.webhook");
  const isEmpty = nodes.length === 0;

  return (
    <EditorContext.Provider value={context}>
      <div className={`ez-editor${readOnly ? " read-only" : ""}`} data-testid="editor" data-save-state={saveState} data-live={liveState}>
        <div className="ez-toolbar" role="toolbar" aria-label={t("Flow actions")}>
          {!readOnly && (
            <button type="button" className="ez-button ez-palette-toggle" onClick={() => setPaletteOpen(!paletteOpen)} aria-expanded={paletteOpen}>
              ☰ {t("Steps")}
            </button>
          )}
          <input
            className="ez-flow-name"
            defaultValue={flow.name}
            aria-label={t("Flow name")}
            disabled={readOnly}
            onBlur={(event) => event.target.value.trim() && event.target.value !== flow.name && renameFlow(event.target.value.trim())}
            onKeyDown={(event) => event.key === "Enter" && event.currentTarget.blur()}
            data-testid="flow-name"
          />
          <span className={`ez-save-state ${saveState}`} role="status" data-testid="save-state">
            {saveLabel}
          </span>
          <span className="ez-spacer" />
          {!readOnly && (
            <>
              <button type="button" className="ez-button" onClick={undo} title={`${t("Undo")} (Ctrl+Z)`} data-testid="undo">
                ↶<span className="ez-label"> {t("Undo")}</span>
              </button>
              <button type="button" className="ez-button" onClick={redo} title={`${t("Redo")} (Ctrl+Shift+Z)`} data-testid="redo">
                ↷<span className="ez-label"> {t("Redo")}</span>
              </button>
              <button type="button" className="ez-button" onClick={autoLayout} title={`${t("Tidy up")} (Shift+L)`} data-testid="auto-layout">
                ⇆<span className="ez-label"> {t("Tidy up")}</span>
              </button>
              <button type="button" className="ez-button primary" onClick={runFlow} disabled={testing} data-testid="run-test" title="Ctrl+Enter">
                ▶ {testing ? t("Testing…") : t("Test flow")}
              </button>
              <button type="button" className="ez-button" onClick={() => setDialog("publish")} data-testid="publish">
                ⬆ {t("Publish")}
              </button>
            </>
          )}
          <label className="ez-active-toggle" title={flow.published_version ? "" : t("Publish the flow before turning it on.")}>
            <input type="checkbox" checked={!!flow.active} disabled={readOnly} onChange={(event) => setActive(event.target.checked)} data-testid="active-toggle" />
            <span>{flow.active ? t("On") : t("Off")}</span>
          </label>
          <div className="ez-menu">
            <button type="button" className="ez-button" onClick={() => setDialog(dialog === "more" ? null : "more")} aria-haspopup="menu" aria-expanded={dialog === "more"} data-testid="more" data-dialog-return>
              ⋯
            </button>
            {dialog === "more" && (
              <div className="ez-menu-list" role="menu">
                <button type="button" role="menuitem" onClick={() => setDialog("history")} data-testid="open-history">
                  {t("Versions and changes")}
                </button>
                {hasWebhook && (
                  <button type="button" role="menuitem" onClick={() => { copyWebhook(); setDialog(null); }} data-testid="copy-webhook">
                    {t("Copy webhook address")}
                  </button>
                )}
                <button type="button" role="menuitem" onClick={() => { exportFlow(); setDialog(null); }} data-testid="export">
                  {t("Export (JSON)")}
                </button>
                {!readOnly && (
                  <button type="button" role="menuitem" onClick={() => setDialog("import")} data-testid="open-import">
                    {t("Import (EZFlow or n8n JSON)")}
                  </button>
                )}
                {!readOnly && (
                  <>
                    <button type="button" role="menuitem" onClick={() => { copy(false); setDialog(null); }}>{t("Copy selected steps")}</button>
                    <button type="button" role="menuitem" onClick={() => { paste(); setDialog(null); }}>{t("Paste steps")}</button>
                    <button type="button" role="menuitem" onClick={() => { duplicate(); setDialog(null); }}>{t("Duplicate selected steps")}</button>
                    <button type="button" role="menuitem" onClick={() => { deleteSelected(); setDialog(null); }}>{t("Delete selected")}</button>
                  </>
                )}
                <button type="button" role="menuitem" onClick={() => setDialog("help")} data-testid="open-help">
                  {t("Keyboard shortcuts")} (?)
                </button>
                <a role="menuitem" href={boot.flow_url}>{t("Flow overview and runs")}</a>
              </div>
            )}
          </div>
        </div>
        {!online && (
          <div className="ez-banner warn" role="alert" data-testid="editor-offline">
            {t("You are offline. Your changes are kept here and saved when you are back online.")}
          </div>
        )}
        {saveState === "stale" && (
          <div className="ez-banner error" role="alert" data-testid="stale-warning">
            <strong>{t("This flow was changed in another tab or by someone else.")}</strong>{" "}
            {t("Your latest changes are not saved. Reload to see the other version, or keep yours and replace it.")}
            <span className="ez-row">
              <button type="button" className="ez-button" onClick={() => window.location.reload()} data-testid="stale-reload">
                {t("Reload")}
              </button>
              <button type="button" className="ez-button danger" onClick={overwrite} data-testid="stale-overwrite">
                {t("Keep mine")}
              </button>
            </span>
          </div>
        )}
        {readOnly && <div className="ez-banner" role="note">{t("You can look at this flow, but only editors can change or run it.")}</div>}
        {diff && (
          <div className="ez-banner info" role="status" data-testid="diff-banner">
            {t("Changes since version {n}:").replace("{n}", diff.number)}{" "}
            <span className="ez-legend added">{t("added")}</span> <span className="ez-legend changed">{t("changed")}</span>{" "}
            {diff.removed.length > 0 && (
              <span className="ez-legend removed">
                {t("removed")}: {diff.removed.map((n) => n.name || n.id).join(", ")}
              </span>
            )}
            <button type="button" className="ez-link" onClick={() => setDiff(null)}>
              {t("Hide changes")}
            </button>
          </div>
        )}
        <div className="ez-body">
          {!readOnly && paletteOpen && <Palette onAdd={addFromPalette} searchRef={searchRef} />}
          <div className="ez-canvas" onDragOver={(event) => { event.preventDefault(); event.dataTransfer.dropEffect = "move"; }} onDrop={onDrop} data-testid="canvas">
            <ReactFlow
              nodes={displayNodes}
              edges={displayEdges}
              nodeTypes={nodeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={connect}
              onConnectEnd={onConnectEnd}
              isValidConnection={isValidConnection}
              onNodeDragStart={() => remember()}
              deleteKeyCode={null}
              selectionKeyCode="Shift"
              multiSelectionKeyCode={["Meta", "Control"]}
              nodesDraggable={!readOnly}
              nodesConnectable={!readOnly}
              connectionRadius={30}
              minZoom={0.2}
              maxZoom={2}
              proOptions={{ hideAttribution: true }}
              ariaLabelConfig={undefined}
            >
              <Background gap={20} />
              <Controls showInteractive={false} />
              <MiniMap pannable zoomable className="ez-minimap" />
            </ReactFlow>
            {isEmpty && (
              <div className="ez-empty-canvas" data-testid="empty-canvas">
                <p>{readOnly ? t("This flow is empty.") : t("Start by dragging a trigger (for example “Webhook”) from the left onto this canvas.")}</p>
              </div>
            )}
            {runInfo && (
              <div className={`ez-run-info ${runInfo.status}`} data-testid="run-info" role="status">
                {t("Last test run:")} {t(`run:${runInfo.status}`)}
                {runInfo.id && <a href={`/runs/${runInfo.id}/`}> #{runInfo.id}</a>}
              </div>
            )}
          </div>
          {selected && (
            <Panel
              key={selected.id}
              node={selected}
              onChange={updateNodeData}
              onRename={rename}
              problems={problemsByNode[selected.id] || []}
              fields={fields}
              input={inputOf(selected.id)}
              output={outputs[selected.id] || (pinned[selected.id] ? { main: { items: pinned[selected.id], count: pinned[selected.id].length } } : null)}
              onTestNode={testNode}
              runError={statuses[selected.id] && statuses[selected.id].error}
              testing={testing}
              pinned={pinned[selected.id]}
              onPin={setPin}
              onClose={() => setNodes((list) => list.map((n) => ({ ...n, selected: false })))}
            />
          )}
        </div>
        {problems.length > 0 && (
          <details className="ez-problems" data-testid="problems">
            <summary>⚠ {t("To fix before publishing: {n}").replace("{n}", problems.length)}</summary>
            <ul>
              {problems.map((p, index) => {
                const node = nodes.find((n) => n.id === p.node_id);
                return (
                  <li key={index}>
                    <button
                      type="button"
                      className="ez-link"
                      onClick={() => node && setNodes((list) => list.map((n) => ({ ...n, selected: n.id === node.id })))}
                    >
                      {node ? `${node.data.name}: ` : ""}
                      {p.message}
                    </button>
                  </li>
                );
              })}
            </ul>
          </details>
        )}
        <div className="ez-toasts" aria-live="polite">
          {toasts.map((x) => (
            <div key={x.id} className={`ez-toast ${x.kind}`} role={x.kind === "error" ? "alert" : "status"} data-testid="toast">
              {x.message}
            </div>
          ))}
        </div>
        {dialog === "publish" && <PublishDialog onPublish={publish} onClose={() => setDialog(null)} />}
        {dialog === "history" && (
          <HistoryPanel flowApi={flowApi} diff={diff} onDiff={showDiff} onRestore={restoreVersion} onClose={() => setDialog(null)} />
        )}
        {dialog === "import" && <ImportDialog onClose={() => setDialog(null)} />}
        {dialog === "help" && <HelpOverlay onClose={() => setDialog(null)} />}
      </div>
    </EditorContext.Provider>
  );
}
