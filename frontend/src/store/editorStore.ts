// The editor's graph state and every edit of it (one store, Zustand). Components and hooks read it with selectors;
// actions never talk to the server and never show messages: they return what went wrong, callers say it.
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange, type XYPosition } from "@xyflow/react";
import { create } from "zustand";
import { connectionProblem, edgeOf, newId, portsOf, STICKY, toFlow, toGraph, uniqueName, type ConnectionLike } from "../lib/graph";
import { layoutPositions } from "../lib/layout";
import type { FlowInfo, OutputSample, Run } from "../types/api";
import type { Catalog, NodeSpec } from "../types/catalog";
import type { FlowEdge, FlowNode, Item, NodeData, NodeStatus, Pinned, Problem, StoredGraph } from "../types/graph";

export type SaveState = "saved" | "dirty" | "saving" | "error" | "stale";

export interface StatusInfo {
  status: NodeStatus | string;
  count?: number;
  error?: string;
}

interface Snapshot {
  nodes: FlowNode[];
  edges: FlowEdge[];
  pinned: Pinned;
}

export interface ClipboardData {
  format?: string;
  nodes?: StoredGraph["nodes"];
  edges?: StoredGraph["edges"];
  pinned?: Pinned;
}

export const CLIPBOARD_FORMAT = "ezflow/nodes";
const UNDO_LIMIT = 100;
// Typing in a field within this time is one undo step, not one per key.
const EDIT_MERGE_MS = 1500;

interface EditorData {
  readOnly: boolean;
  catalogList: NodeSpec[];
  catalog: Catalog;
  flow: FlowInfo | null;
  /** The stored graph's other keys (kept as they are when saving). */
  baseGraph: Record<string, unknown>;
  nodes: FlowNode[];
  edges: FlowEdge[];
  pinned: Pinned;
  problems: Problem[];
  statuses: Record<string, StatusInfo>;
  outputs: Record<string, OutputSample>;
  runInfo: Run | null;
  /** Highest event number seen of the current test run. */
  lastSeq: number;
  /** Sizes React Flow measured for steps drawn only for a version comparison. */
  ghostSizes: Record<string, { width: number; height: number }>;
  /** Counts edits; autosave compares it with the count it saved last. */
  changes: number;
  saveState: SaveState;
  undoStack: Snapshot[];
  redoStack: Snapshot[];
  lastEdit: { id: string | null; at: number };
}

export interface EditorState extends EditorData {
  reset(): void;
  setReadOnly(readOnly: boolean): void;
  setCatalog(list: NodeSpec[]): void;
  setFlow(flow: FlowInfo | null): void;
  patchFlow(changes: Partial<FlowInfo>): void;
  applyGraph(graph: StoredGraph | null | undefined): void;
  graph(): StoredGraph;
  setSaveState(state: SaveState): void;
  markDirty(): void;
  setProblems(problems: Problem[]): void;
  setStatuses(update: (statuses: Record<string, StatusInfo>) => Record<string, StatusInfo>): void;
  setOutputs(update: (outputs: Record<string, OutputSample>) => Record<string, OutputSample>): void;
  setRunInfo(update: (run: Run | null) => Run | null): void;
  setLastSeq(seq: number): void;

  remember(): void;
  undo(): void;
  redo(): void;
  onNodesChange(changes: NodeChange<FlowNode>[]): void;
  onEdgesChange(changes: EdgeChange<FlowEdge>[]): void;
  connectionProblem(connection: ConnectionLike): string | null;
  connect(connection: ConnectionLike): string | null;
  addNode(key: string, options: AddOptions): FlowNode | null;
  updateNodeData(id: string, changes: Partial<NodeData>, now?: number): void;
  rename(id: string, name: string): boolean;
  deleteSelected(): void;
  select(ids: string[] | "all"): void;
  setPin(id: string, items: Item[] | null): void;
  copyPayload(): string | null;
  paste(data: ClipboardData, origin: XYPosition): number | null;
  autoLayout(): void;
}

export interface AddOptions {
  position?: XYPosition | null;
  /** The step to connect it after; undefined: the one selected step, if any. */
  after?: FlowNode | null;
  /** Where it goes when nothing else says (the middle of the screen). */
  fallback: () => XYPosition;
  name: string;
}

const initial: EditorData = {
  readOnly: false,
  catalogList: [],
  catalog: {},
  flow: null,
  baseGraph: {},
  nodes: [],
  edges: [],
  pinned: {},
  problems: [],
  statuses: {},
  outputs: {},
  runInfo: null,
  lastSeq: 0,
  ghostSizes: {},
  changes: 0,
  saveState: "saved",
  undoStack: [],
  redoStack: [],
  lastEdit: { id: null, at: 0 },
};

function touchesParameter(path: string | null | undefined, key: string): boolean {
  const p = path || "";
  return p === `parameters.${key}` || p.startsWith(`parameters.${key}.`) || p.startsWith(`parameters.${key}[`);
}

export const useEditorStore = create<EditorState>()((set, get) => {
  const snapshot = (): Snapshot => {
    const { nodes, edges, pinned } = get();
    return { nodes: nodes.map((x) => ({ ...x, selected: false })), edges: edges.map((x) => ({ ...x, selected: false })), pinned };
  };
  const restore = (from: "undoStack" | "redoStack", to: "undoStack" | "redoStack") => {
    const stack = get()[from];
    const previous = stack[stack.length - 1];
    if (!previous) return;
    const current = snapshot();
    set({ [from]: stack.slice(0, -1), [to]: [...get()[to], current], nodes: previous.nodes, edges: previous.edges, pinned: previous.pinned });
    get().markDirty();
  };

  return {
    ...initial,

    reset: () => set({ ...initial }),
    setReadOnly: (readOnly) => set({ readOnly }),
    setCatalog: (list) => set({ catalogList: list, catalog: Object.fromEntries(list.map((spec) => [spec.key, spec])) }),
    setFlow: (flow) => set({ flow }),
    patchFlow: (changes) => set((s) => ({ flow: s.flow ? { ...s.flow, ...changes } : s.flow })),

    applyGraph: (graph) => {
      const { pinned, nodes: _nodes, edges: _edges, ...rest } = graph || { nodes: [], edges: [] };
      const converted = toFlow(graph || {});
      set({ baseGraph: rest, nodes: converted.nodes, edges: converted.edges, pinned: pinned || {} });
    },
    graph: () => {
      const { baseGraph, nodes, edges, pinned } = get();
      return toGraph(baseGraph, nodes, edges, pinned);
    },

    setSaveState: (saveState) => set({ saveState }),
    markDirty: () => set((s) => ({ changes: s.changes + 1, saveState: s.saveState === "stale" ? s.saveState : "dirty" })),
    setProblems: (problems) => set({ problems }),
    setStatuses: (update) => set((s) => ({ statuses: update(s.statuses) })),
    setOutputs: (update) => set((s) => ({ outputs: update(s.outputs) })),
    setRunInfo: (update) => set((s) => ({ runInfo: update(s.runInfo) })),
    setLastSeq: (lastSeq) => set({ lastSeq }),

    remember: () => {
      const stack = [...get().undoStack, snapshot()];
      set({ undoStack: stack.length > UNDO_LIMIT ? stack.slice(stack.length - UNDO_LIMIT) : stack, redoStack: [] });
    },
    undo: () => restore("undoStack", "redoStack"),
    redo: () => restore("redoStack", "undoStack"),

    onNodesChange: (changes) => {
      const ghosts = changes.filter(
        (c): c is Extract<NodeChange<FlowNode>, { type: "dimensions" }> => c.type === "dimensions" && !!c.dimensions && String(c.id).startsWith("removed:"),
      );
      if (ghosts.length) set((s) => ({ ghostSizes: { ...s.ghostSizes, ...Object.fromEntries(ghosts.map((c) => [c.id, c.dimensions!])) } }));
      const relevant = get().readOnly ? changes.filter((c) => c.type === "select" || c.type === "dimensions") : changes;
      set((s) => ({ nodes: applyNodeChanges(relevant, s.nodes) }));
      if (relevant.some((c) => (c.type === "position" && c.dragging === false) || c.type === "remove" || (c.type === "dimensions" && c.resizing)))
        get().markDirty();
    },
    onEdgesChange: (changes) => {
      const relevant = get().readOnly ? changes.filter((c) => c.type === "select") : changes;
      set((s) => ({ edges: applyEdgeChanges(relevant, s.edges) }));
      if (relevant.some((c) => c.type === "remove")) get().markDirty();
    },

    connectionProblem: (connection) => {
      const { nodes, edges, catalog } = get();
      return connectionProblem(connection, nodes, edges, catalog);
    },
    connect: (connection) => {
      const problem = get().connectionProblem(connection);
      if (problem) return problem;
      get().remember();
      const edge = edgeOf(connection.source!, connection.sourceHandle || "main", connection.target!, connection.targetHandle || "main");
      set((s) => ({ edges: [...s.edges, edge] }));
      get().markDirty();
      return null;
    },

    addNode: (key, { position, after: wantedAfter, fallback, name }) => {
      const { catalog, readOnly, nodes: current } = get();
      const spec = catalog[key];
      if (!spec || readOnly) return null;
      get().remember();
      const selected = current.filter((n) => n.selected);
      const after = wantedAfter === undefined ? (selected.length === 1 ? selected[0] : null) : wantedAfter;
      let where = position || null;
      if (!where && after) where = { x: after.position.x + 260, y: after.position.y };
      if (!where) {
        const rightmost = current
          .filter((n) => n.type !== "sticky")
          .reduce<FlowNode | null>((best, n) => (!best || n.position.x > best.position.x ? n : best), null);
        where = rightmost ? { x: rightmost.position.x + 260, y: rightmost.position.y } : fallback();
      }
      const id = newId(key);
      const parameters: Record<string, unknown> = {};
      for (const p of spec.parameters) if (p.default !== null && p.default !== undefined) parameters[p.name] = p.default;
      const node: FlowNode = {
        id,
        type: key === STICKY ? "sticky" : "ez",
        position: where,
        selected: true,
        data: { ntype: key, type_version: spec.version, name: uniqueName(current, name), parameters, settings: {} },
      };
      if (key === STICKY) node.style = { width: 220, height: 120 };
      set((s) => ({ nodes: [...s.nodes.map((n) => ({ ...n, selected: false })), node] }));
      if (after && key !== STICKY && spec.inputs.length && !spec.is_trigger) {
        const afterSpec = catalog[after.data.ntype];
        const port = afterSpec ? portsOf(afterSpec, after.data).outputs[0] : "main";
        if (port) set((s) => ({ edges: [...s.edges, edgeOf(after.id, port, id, spec.inputs[0])] }));
      }
      get().markDirty();
      return node;
    },

    updateNodeData: (id, changes, now = Date.now()) => {
      const { lastEdit } = get();
      if (lastEdit.id !== id || now - lastEdit.at > EDIT_MERGE_MS) get().remember();
      const before = (get().nodes.find((n) => n.id === id) || { data: { parameters: {} } }).data.parameters || {};
      set((s) => ({ lastEdit: { id, at: now }, nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...changes } } : n)) }));
      // A field the person just changed no longer shows the server's old complaint; the next check after saving
      // brings it back if it still applies.
      if (changes.parameters) {
        const next = changes.parameters;
        const edited = Object.keys(next).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(before[k]));
        if (edited.length) set((s) => ({ problems: s.problems.filter((p) => p.node_id !== id || !edited.some((k) => touchesParameter(p.path, k))) }));
      }
      get().markDirty();
    },

    rename: (id, name) => {
      if (get().nodes.some((n) => n.id !== id && n.data.name === name)) return false;
      get().updateNodeData(id, { name });
      return true;
    },

    deleteSelected: () => {
      const { nodes, edges } = get();
      const gone = new Set(nodes.filter((x) => x.selected).map((x) => x.id));
      const goneEdges = new Set(edges.filter((x) => x.selected).map((x) => x.id));
      if (!gone.size && !goneEdges.size) return;
      get().remember();
      set({
        nodes: nodes.filter((x) => !gone.has(x.id)),
        edges: edges.filter((x) => !goneEdges.has(x.id) && !gone.has(x.source) && !gone.has(x.target)),
      });
      get().markDirty();
    },

    select: (ids) => set((s) => ({ nodes: s.nodes.map((n) => ({ ...n, selected: ids === "all" || ids.includes(n.id) })) })),

    setPin: (id, items) => {
      get().remember();
      set((s) => {
        const next = { ...s.pinned };
        if (items === null) delete next[id];
        else next[id] = items;
        return { pinned: next };
      });
      get().markDirty();
    },

    copyPayload: () => {
      const { nodes, edges, pinned } = get();
      const chosen = nodes.filter((x) => x.selected);
      if (!chosen.length) return null;
      const ids = new Set(chosen.map((x) => x.id));
      const graph = toGraph({}, chosen, edges.filter((x) => ids.has(x.source) && ids.has(x.target)), pinned);
      return JSON.stringify({ format: CLIPBOARD_FORMAT, nodes: graph.nodes, edges: graph.edges, pinned: graph.pinned });
    },

    paste: (data, origin) => {
      if (get().readOnly) return null;
      if (!data || (data.format !== CLIPBOARD_FORMAT && data.format !== "ezflow/1") || !Array.isArray(data.nodes)) return null;
      get().remember();
      const taken = [...get().nodes];
      const idMap: Record<string, string> = {};
      const minX = Math.min(...data.nodes.map((x) => (x.position ? x.position[0] : 0)));
      const minY = Math.min(...data.nodes.map((x) => (x.position ? x.position[1] : 0)));
      const fresh = toFlow({ nodes: data.nodes, edges: [] }).nodes.map((node) => {
        const id = newId(node.data.ntype);
        idMap[node.id] = id;
        const made: FlowNode = {
          ...node,
          id,
          selected: true,
          position: { x: origin.x + (node.position.x - minX) + 30, y: origin.y + (node.position.y - minY) },
          data: { ...node.data, name: uniqueName(taken, node.data.name) },
        };
        taken.push(made);
        return made;
      });
      const freshEdges = (data.edges || [])
        .filter((x) => idMap[x.source] && idMap[x.target])
        .map((x) => edgeOf(idMap[x.source], x.source_port || "main", idMap[x.target], x.target_port || "main"));
      const pins: Pinned = {};
      for (const [old, items] of Object.entries(data.pinned || {})) if (idMap[old]) pins[idMap[old]] = items;
      set((s) => ({
        nodes: [...s.nodes.map((n) => ({ ...n, selected: false })), ...fresh],
        edges: [...s.edges, ...freshEdges],
        pinned: Object.keys(pins).length ? { ...s.pinned, ...pins } : s.pinned,
      }));
      get().markDirty();
      return fresh.length;
    },

    autoLayout: () => {
      const { nodes, edges } = get();
      const laidOut = layoutPositions(nodes, edges);
      get().remember();
      set({ nodes: laidOut });
      get().markDirty();
    },
  };
});

export const editorState = () => useEditorStore.getState();
