// Issue 17: the flow's runs inside the editor, opening one on the canvas (debug view) and copying its input back.
import { act, fireEvent, render, renderHook, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import ExecutionsPanel from "../src/components/ExecutionsPanel";
import type { Executions } from "../src/hooks/useExecutions";
import { failedNodeOf, isTestRun, mergeRuns, replayItems, runLabel, runView } from "../src/lib/executions";
import { translator } from "../src/lib/i18n";
import { editorState } from "../src/store/editorStore";
import type { Run } from "../src/types/api";
import type { FlowNode } from "../src/types/graph";
import { CATALOG } from "./fixtures";

const api = vi.hoisted(() => ({ get: vi.fn() }));
vi.mock("../src/lib/api", async (original) => ({ ...(await original<typeof import("../src/lib/api")>()), get: api.get }));
// Imported after the mock.
const { useExecutions } = await import("../src/hooks/useExecutions");

const node = (id: string, ntype: string, name: string): FlowNode => ({ id, type: "ez", position: { x: 0, y: 0 }, data: { ntype, name, parameters: {}, settings: {} } });
const NODES = [node("hook", "test.start", "Webhook"), node("calc", "test.set", "Calculate"), node("send", "test.end", "Send")];

const REQUEST = { body: { name: "Kim", amount: 12000 }, query: {}, headers: {} };
const FAILED_RUN: Run = {
  id: 42,
  status: "failed",
  trigger: "webhook",
  created_at: "2026-12-08T01:00:00Z",
  error: "The previous step's result has no 'total' field.",
  error_node_id: "calc",
  input_items: [REQUEST],
  node_runs: [
    { node_id: "hook", node_name: "Webhook", status: "success", items_out: 1, output_sample: { main: { items: [REQUEST], count: 1 } } },
    { node_id: "calc", node_name: "Calculate", status: "running", items_out: 0 },
    { node_id: "calc", node_name: "Calculate", status: "failed", items_out: 0, error: "The previous step's result has no 'total' field." },
    { node_id: "gone", node_name: "Old step", status: "success", items_out: 1 },
  ],
};

describe("the run list", () => {
  it("keeps runs newest first, each once, a fresher copy replacing the older", () => {
    const a = { id: 1, status: "success", created_at: "2026-12-08T01:00:00Z" } as Run;
    const b = { id: 2, status: "running", created_at: "2026-12-08T02:00:00Z" } as Run;
    const c = { id: 3, status: "queued", created_at: "2026-12-08T02:00:00Z" } as Run;
    const merged = mergeRuns([a, b], [{ ...b, status: "failed" }, c]);
    expect(merged.map((r) => [r.id, r.status])).toEqual([
      [3, "queued"],
      [2, "failed"],
      [1, "success"],
    ]);
    expect(mergeRuns([], [a, b, c], 2).map((r) => r.id)).toEqual([3, 2]);
  });

  it("names a run by the flow's number and reads test or production from the API's is_test", () => {
    expect(runLabel({ id: 42, number: 7 })).toBe("#7");
    expect(runLabel({ id: 42 })).toBe("#42"); // an older server without numbers
    expect(isTestRun({ trigger: "retry", is_test: true })).toBe(true);
    expect(isTestRun({ trigger: "test", is_test: false })).toBe(false);
  });

  it("tells test runs from production runs", () => {
    expect(isTestRun({ trigger: "test" })).toBe(true);
    expect(isTestRun({ trigger: "webhook" })).toBe(false);
    expect(isTestRun({ trigger: "manual" })).toBe(false);
  });
});

describe("a run on the canvas", () => {
  it("shows each step's last status with its error in words, and lists steps the draft no longer has", () => {
    const view = runView(FAILED_RUN, NODES);
    expect(view.statuses.calc).toEqual({ status: "error", count: 0, error: "The previous step's result has no 'total' field." });
    expect(view.statuses.hook.status).toBe("success");
    expect(view.outputs.hook.main.items).toEqual([REQUEST]);
    expect(view.missing).toEqual(["Old step"]);
    expect(failedNodeOf(FAILED_RUN)).toBe("calc");
  });

  it("finds the failed step without error_node_id, and marks a step that failed before it started", () => {
    expect(failedNodeOf({ ...FAILED_RUN, error_node_id: "" })).toBe("calc");
    const early = runView({ ...FAILED_RUN, node_runs: [], error: "Bad address" }, NODES);
    expect(early.statuses.calc).toEqual({ status: "error", error: "Bad address" });
  });

  it("replays what the trigger received, else the run's input", () => {
    const isTrigger = (ntype: string) => ntype === "test.start";
    expect(replayItems(FAILED_RUN, NODES, isTrigger)).toEqual({ nodeId: "hook", items: [REQUEST] });
    expect(replayItems({ ...FAILED_RUN, node_runs: [] }, NODES, isTrigger)).toEqual({ nodeId: "hook", items: [REQUEST] });
    expect(replayItems({ ...FAILED_RUN, node_runs: [], input_items: [{}] }, NODES, isTrigger)).toBeNull();
    expect(replayItems(FAILED_RUN, NODES.slice(1), isTrigger)).toBeNull();
  });
});

function panelWith(language: string, overrides: Partial<Executions> = {}) {
  const { t } = translator(language);
  const executions: Executions = {
    open: true,
    setOpen: vi.fn(),
    runs: [
      { id: 43, number: 8, is_test: true, status: "running", trigger: "test", created_at: "2026-12-08T02:00:00Z" },
      { ...FAILED_RUN, number: 7, is_test: false, duration_ms: 1500 },
    ],
    loading: false,
    error: null,
    viewing: null,
    refresh: vi.fn(async () => {}),
    show: vi.fn(async () => {}),
    leave: vi.fn(),
    copyToEditor: vi.fn(),
    onLive: vi.fn(),
    ...overrides,
  };
  render(<ExecutionsPanel t={t} executions={executions} onClose={vi.fn()} />);
  return executions;
}

describe("ExecutionsPanel", () => {
  it("lists status, time and test or production, and opens the chosen run (English)", () => {
    const executions = panelWith("en");
    const items = screen.getAllByRole("button").filter((b) => b.dataset.testid?.startsWith("execution-"));
    expect(items.map((b) => b.dataset.testid)).toEqual(["execution-43", "execution-42"]);
    expect(items[0].textContent).toContain("Running");
    expect(items[0].textContent).toContain("Test");
    expect(items[1].textContent).toContain("Failed");
    expect(items[1].textContent).toContain("Production");
    expect(items[1].textContent).toContain("1.5 s");
    // The flow's own run numbers (as on the run pages), not the organization-wide ids.
    expect(items[0].textContent).toContain("#8");
    expect(items[1].textContent).toContain("#7");
    expect(items[1].textContent).not.toContain("#42");
    fireEvent.click(items[1]);
    expect(executions.show).toHaveBeenCalledWith(42);
  });

  it("speaks Korean and says when there is no run yet", () => {
    panelWith("ko", { runs: [] });
    expect(screen.getByTestId("executions").textContent).toContain("이 플로우의 실행 기록");
    expect(screen.getByTestId("executions").textContent).toContain("아직 실행 기록이 없습니다");
  });

  it("marks the opened run", () => {
    panelWith("ko", { viewing: { run: FAILED_RUN, missing: [] } });
    expect(screen.getByTestId("execution-42").getAttribute("aria-current")).toBe("true");
    expect(screen.getByTestId("execution-42").textContent).toContain("운영");
    expect(screen.getByTestId("execution-43").textContent).toContain("테스트");
  });
});

describe("useExecutions", () => {
  beforeEach(() => {
    editorState().reset();
    editorState().setCatalog(CATALOG);
    useEditorStoreNodes();
    api.get.mockReset();
  });

  function useEditorStoreNodes() {
    editorState().applyGraph({
      nodes: NODES.map((n) => ({ id: n.id, type: n.data.ntype, name: n.data.name, parameters: {}, position: [0, 0] })),
      edges: [
        { source: "hook", target: "calc" },
        { source: "calc", target: "send" },
      ],
    } as never);
  }

  const options = (onShown = vi.fn()) => ({ flowId: 7, loaded: true, toast: vi.fn(), errorText: String, t: translator("en").t, onShown });

  it("reads the flow's runs when opened and again when a run of this flow changes", async () => {
    vi.useFakeTimers();
    api.get.mockResolvedValue({ count: 1, next: null, results: [FAILED_RUN] });
    const { result } = renderHook(() => useExecutions(options()));
    expect(api.get).not.toHaveBeenCalled();
    await act(async () => result.current.setOpen(true));
    expect(api.get).toHaveBeenCalledWith("/runs?flow=7");
    expect(result.current.runs.map((r) => r.id)).toEqual([42]);
    api.get.mockResolvedValue({ count: 2, next: null, results: [{ id: 44, status: "queued", trigger: "webhook", created_at: "2026-12-08T03:00:00Z" }, FAILED_RUN] });
    act(() => result.current.onLive({ type: "run.queued", run_id: 44, flow_id: 7, status: "queued" }));
    act(() => result.current.onLive({ type: "run.queued", run_id: 9, flow_id: 8, status: "queued" })); // another flow's
    await act(async () => vi.advanceTimersByTime(300));
    expect(api.get).toHaveBeenCalledTimes(2);
    expect(result.current.runs.map((r) => r.id)).toEqual([44, 42]);
    vi.useRealTimers();
  });

  it("shows a run on the canvas, names its failed step, and goes back to what was there", async () => {
    editorState().setStatuses(() => ({ hook: { status: "success", count: 1 } }));
    editorState().setOutputs(() => ({ hook: { main: { items: [{ before: true }], count: 1 } } }));
    api.get.mockResolvedValue(FAILED_RUN);
    const onShown = vi.fn();
    const { result } = renderHook(() => useExecutions(options(onShown)));
    await act(async () => result.current.show(42));
    expect(api.get).toHaveBeenCalledWith("/runs/42");
    expect(editorState().statuses.calc).toMatchObject({ status: "error", error: "The previous step's result has no 'total' field." });
    expect(editorState().outputs.hook.main.items).toEqual([REQUEST]);
    expect(onShown).toHaveBeenCalledWith(FAILED_RUN, "calc");
    expect(result.current.viewing?.missing).toEqual(["Old step"]);
    act(() => result.current.leave());
    expect(result.current.viewing).toBeNull();
    expect(editorState().statuses).toEqual({ hook: { status: "success", count: 1 } });
    expect(editorState().outputs.hook.main.items).toEqual([{ before: true }]);
  });

  it("copies the run's input to the editor as the trigger's pinned data", async () => {
    api.get.mockResolvedValue(FAILED_RUN);
    const { result } = renderHook(() => useExecutions(options()));
    await act(async () => result.current.show(42));
    act(() => result.current.copyToEditor());
    expect(editorState().pinned).toEqual({ hook: [REQUEST] });
    expect(editorState().graph().pinned).toEqual({ hook: [REQUEST] });
    expect(editorState().saveState).toBe("dirty"); // saved with the draft, so the next test run uses it
    expect(editorState().outputs.hook.main.items).toEqual([REQUEST]); // the run's data stays for editing
    expect(result.current.viewing).toBeNull();
  });
});
