import { beforeEach, describe, expect, it } from "vitest";
import { editorState } from "../src/store/editorStore";
import { CATALOG } from "./fixtures";

const fallback = () => ({ x: 5, y: 5 });

beforeEach(() => {
  editorState().reset();
  editorState().setCatalog(CATALOG);
});

function add(key: string, options: Partial<Parameters<ReturnType<typeof editorState>["addNode"]>[1]> = {}) {
  const node = editorState().addNode(key, { fallback, name: key, ...options });
  if (!node) throw new Error(`not added: ${key}`);
  return node;
}

describe("editor store", () => {
  it("adds a step with its defaults, selected, and connects it after the selected step", () => {
    const start = add("test.start");
    expect(start.position).toEqual({ x: 5, y: 5 });
    const set = add("test.set");
    const { nodes, edges, changes, saveState } = editorState();
    expect(nodes.map((n) => n.selected)).toEqual([false, true]);
    expect(set.data.parameters).toEqual({ limit: 10 });
    expect(set.position).toEqual({ x: 265, y: 5 });
    expect(edges).toEqual([expect.objectContaining({ source: start.id, target: set.id, sourceHandle: "main", targetHandle: "main" })]);
    expect(changes).toBe(2);
    expect(saveState).toBe("dirty");
  });

  it("connects after a dynamic-output step on its first port, and names steps uniquely", () => {
    const route = add("test.route");
    editorState().updateNodeData(route.id, { parameters: { cases: [{}, {}] } });
    const a = add("test.set", { name: "Set" });
    expect(editorState().edges[0]).toMatchObject({ source: route.id, sourceHandle: "0", target: a.id });
    const b = add("test.set", { name: "Set", after: null });
    expect(b.data.name).toBe("Set 2");
    expect(editorState().edges).toHaveLength(1);
  });

  it("refuses a bad connection with its reason and keeps the good one", () => {
    const a = add("test.set", { after: null });
    const b = add("test.set", { after: null });
    expect(editorState().connect({ source: a.id, target: b.id })).toBeNull();
    expect(editorState().connect({ source: b.id, target: a.id })).toMatch(/circle/);
    expect(editorState().edges).toHaveLength(1);
  });

  it("undoes and redoes edits", () => {
    const a = add("test.set", { after: null });
    editorState().updateNodeData(a.id, { name: "Renamed" }, 1_000_000);
    expect(editorState().nodes[0].data.name).toBe("Renamed");
    editorState().undo();
    expect(editorState().nodes[0].data.name).toBe("test.set");
    editorState().undo();
    expect(editorState().nodes).toHaveLength(0);
    editorState().redo();
    editorState().redo();
    expect(editorState().nodes[0].data.name).toBe("Renamed");
    editorState().undo();
    add("test.end", { after: null });
    editorState().redo(); // a new edit forgets what was undone
    expect(editorState().nodes.map((n) => n.data.name)).toEqual(["test.set", "test.end"]);
  });

  it("merges quick typing in one step into one undo step", () => {
    const a = add("test.set", { after: null });
    const before = editorState().undoStack.length;
    editorState().updateNodeData(a.id, { parameters: { limit: 1 } }, 10_000);
    editorState().updateNodeData(a.id, { parameters: { limit: 12 } }, 10_500);
    editorState().updateNodeData(a.id, { parameters: { limit: 123 } }, 20_000);
    expect(editorState().undoStack.length - before).toBe(2);
  });

  it("clears the server's complaint about a field once it is edited", () => {
    const a = add("test.set", { after: null });
    editorState().setProblems([
      { node_id: a.id, path: "parameters.limit", message: "too big" },
      { node_id: a.id, path: "parameters.fields", message: "required" },
    ]);
    editorState().updateNodeData(a.id, { parameters: { ...a.data.parameters, limit: 3 } });
    expect(editorState().problems.map((p) => p.message)).toEqual(["required"]);
  });

  it("refuses a name another step has", () => {
    const a = add("test.set", { name: "A", after: null });
    add("test.set", { name: "B", after: null });
    expect(editorState().rename(a.id, "B")).toBe(false);
    expect(editorState().rename(a.id, "C")).toBe(true);
    expect(editorState().nodes[0].data.name).toBe("C");
  });

  it("deletes the selected steps with their connections", () => {
    const a = add("test.start");
    const b = add("test.set");
    add("test.end");
    editorState().select([b.id]);
    editorState().deleteSelected();
    expect(editorState().nodes.map((n) => n.id)).toEqual([a.id, expect.any(String)]);
    expect(editorState().edges).toEqual([]);
  });

  it("copies and pastes steps with new ids, their connection and pinned data", () => {
    const a = add("test.start");
    const b = add("test.set");
    editorState().setPin(a.id, [{ x: 1 }]);
    editorState().select("all");
    const payload = editorState().copyPayload();
    expect(payload).not.toBeNull();
    expect(editorState().paste(JSON.parse(payload!), { x: 0, y: 0 })).toBe(2);
    const { nodes, edges, pinned } = editorState();
    expect(nodes).toHaveLength(4);
    const pasted = nodes.slice(2);
    expect(pasted.map((n) => n.data.name)).toEqual(["test.start 2", "test.set 2"]);
    expect(pasted.every((n) => n.selected && n.id !== a.id && n.id !== b.id)).toBe(true);
    expect(edges[1]).toMatchObject({ source: pasted[0].id, target: pasted[1].id });
    expect(pinned[pasted[0].id]).toEqual([{ x: 1 }]);
    expect(editorState().paste({ format: "something else", nodes: [] }, { x: 0, y: 0 })).toBeNull();
  });

  it("changes nothing when read-only", () => {
    editorState().setReadOnly(true);
    expect(editorState().addNode("test.set", { fallback, name: "x" })).toBeNull();
    expect(editorState().nodes).toHaveLength(0);
  });

  it("saves the graph it was given with the edits", () => {
    editorState().applyGraph({ format: "ezflow/1", nodes: [{ id: "a", type: "test.set", name: "A", position: [1, 2] }], edges: [], pinned: {}, extra: 1 });
    editorState().updateNodeData("a", { parameters: { limit: 4 } });
    const graph = editorState().graph();
    expect(graph.extra).toBe(1);
    expect(graph.nodes[0]).toMatchObject({ id: "a", parameters: { limit: 4 }, position: [1, 2] });
  });
});
