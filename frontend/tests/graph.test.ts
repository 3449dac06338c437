import { describe, expect, it } from "vitest";
import { connectionProblem, edgeOf, portsOf, toFlow, toGraph, uniqueName } from "../src/lib/graph";
import type { FlowNode, StoredGraph } from "../src/types/graph";
import { catalogByKey } from "./fixtures";

const stored: StoredGraph = {
  format: "ezflow/1",
  settings_extra: "kept",
  nodes: [
    { id: "start", type: "test.start", type_version: 1, name: "Start", position: [0, 10], parameters: {} },
    { id: "set", type: "test.set", type_version: 2, name: "Set", position: [240, 10], parameters: { limit: 5 }, settings: { on_error: "error_output" } },
    { id: "note", type: "note.sticky", name: "Note", position: [0, 200], parameters: { text: "hi" }, size: [300, 150] },
  ],
  edges: [{ source: "start", source_port: "main", target: "set", target_port: "main" }],
  pinned: { start: [{ a: 1 }], gone: [{ b: 2 }] },
};

const node = (id: string, ntype: string, parameters: Record<string, unknown> = {}, settings = {}): FlowNode => ({
  id,
  type: ntype === "note.sticky" ? "sticky" : "ez",
  position: { x: 0, y: 0 },
  data: { ntype, name: id, parameters, settings },
});

describe("toFlow / toGraph", () => {
  it("round-trips a stored graph, keeping other keys and dropping pins of missing steps", () => {
    const { nodes, edges } = toFlow(stored);
    expect(nodes.map((n) => n.type)).toEqual(["ez", "ez", "sticky"]);
    expect(nodes[2].style).toEqual({ width: 300, height: 150 });
    expect(edges[0]).toMatchObject({ id: "start:main->set:main", sourceHandle: "main", targetHandle: "main" });
    const { nodes: _n, edges: _e, pinned, ...rest } = stored;
    const back = toGraph(rest, nodes, edges, pinned || {});
    expect(back).toEqual({ ...stored, pinned: { start: [{ a: 1 }] } });
  });

  it("fills what an imported graph leaves out", () => {
    const { nodes, edges } = toFlow({ nodes: [{ id: "a", type: "test.set" }, { id: "b", type: "test.set" }], edges: [{ source: "a", target: "b" }] });
    expect(nodes[1].position).toEqual({ x: 240, y: 0 });
    expect(nodes[0].data).toMatchObject({ name: "a", parameters: {}, settings: {} });
    expect(edges[0].id).toBe("a:main->b:main");
  });

  it("numbers names that are taken", () => {
    const nodes = [node("Set", "test.set"), node("Set 2", "test.set")];
    expect(uniqueName(nodes, "Set")).toBe("Set 3");
    expect(uniqueName(nodes, "Other")).toBe("Other");
  });
});

describe("portsOf", () => {
  it("uses the catalog's outputs, plus an error output when the step sends failures there", () => {
    expect(portsOf(catalogByKey["test.branch"], node("b", "test.branch").data)).toEqual({ inputs: ["main"], outputs: ["true", "false"] });
    expect(portsOf(catalogByKey["test.branch"], node("b", "test.branch", {}, { on_error: "error_output" }).data).outputs).toEqual(["true", "false", "error"]);
    expect(portsOf(catalogByKey["test.end"], node("e", "test.end", {}, { on_error: "error_output" }).data).outputs).toEqual([]);
  });

  it("computes dynamic outputs from the list parameter named by the catalog", () => {
    const spec = catalogByKey["test.route"];
    expect(portsOf(spec, node("r", "test.route", { cases: [{}, {}, {}] }).data).outputs).toEqual(["0", "1", "2", "otherwise"]);
    expect(portsOf(spec, node("r", "test.route", {}).data).outputs).toEqual(["otherwise"]);
    expect(portsOf(spec, node("r", "test.route", { cases: [{}] }, { on_error: "error_output" }).data).outputs).toEqual(["0", "otherwise", "error"]);
  });

  it("draws one input and one output for an unknown step type", () => {
    expect(portsOf(undefined, node("x", "what.ever").data)).toEqual({ inputs: ["main"], outputs: ["main"] });
  });
});

describe("connectionProblem", () => {
  const nodes = [node("start", "test.start"), node("a", "test.set"), node("b", "test.set"), node("loop", "test.repeat"), node("end", "test.end"), node("note", "note.sticky")];
  const edges = [edgeOf("start", "main", "a", "main"), edgeOf("a", "main", "b", "main")];
  const problem = (source: string, target: string, extra: typeof edges = []) => connectionProblem({ source, target }, nodes, [...edges, ...extra], catalogByKey);

  it("accepts a plain connection", () => {
    expect(problem("b", "end")).toBeNull();
  });

  it("refuses connections that make no sense, in words", () => {
    expect(problem("a", "a")).toBe("A step cannot connect to itself.");
    expect(problem("a", "start")).toBe("A trigger starts the flow, so nothing can connect into it.");
    expect(problem("end", "a")).toBe("This step has no output.");
    expect(problem("a", "note")).toBe("Sticky notes cannot be connected.");
    expect(problem("start", "a")).toBe("These steps are already connected.");
    expect(connectionProblem({ source: null, target: "a" }, nodes, edges, catalogByKey)).toBe("Connect an output (right side) to an input (left side).");
  });

  it("refuses a circle unless it goes through a loop step", () => {
    expect(problem("b", "a")).toBe("This would make a circle. To repeat steps, use the “Loop over items” step.");
    const throughLoop = [edgeOf("b", "main", "loop", "main"), edgeOf("loop", "done", "end", "main")];
    expect(problem("loop", "a", throughLoop)).toBeNull();
  });
});
