import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import Panel from "../src/components/Panel";
import { nextStream } from "../src/lib/streams";
import type { FlowNode } from "../src/types/graph";
import { renderInEditor } from "./fixtures";

const piece = (text: string, extra = {}) => ({ type: "ai.stream", flow_id: 7, node_id: "ask", item: 0, text, done: false, ...extra });

describe("an AI answer shown while it is written", () => {
  it("keeps the latest text of the step being tested", () => {
    let stream = nextStream(null, piece("안녕"), "ask");
    stream = nextStream(stream, piece("안녕하세요"), "ask");
    expect(stream).toEqual({ nodeId: "ask", item: 0, text: "안녕하세요", done: false });
    stream = nextStream(stream, piece("안녕하세요, 고객님", { done: true }), "ask");
    expect(stream && stream.done).toBe(true);
  });

  it("ignores other steps, other messages, no test running and late pieces of an earlier item", () => {
    const current = nextStream(null, piece("second", { item: 1 }), "ask");
    expect(nextStream(current, piece("first, late", { item: 0 }), "ask")).toBe(current);
    expect(nextStream(current, piece("x", { node_id: "other" }), "ask")).toBe(current);
    expect(nextStream(current, { type: "nodes", events: [] }, "ask")).toBe(current);
    expect(nextStream(null, piece("x"), null)).toBe(null);
  });

  it("is shown in the test panel while the step is tested", () => {
    const node = { id: "ask", type: "ez", position: { x: 0, y: 0 }, data: { ntype: "test.set", name: "Ask", parameters: {}, settings: {} } } as unknown as FlowNode;
    const props = {
      node,
      onChange: () => {},
      onRename: () => true,
      problems: [],
      fields: [],
      input: null,
      output: null,
      onTestNode: () => {},
      pinned: undefined,
      onPin: () => {},
      onClose: () => {},
      runError: undefined,
      flowId: 7,
    };
    const { unmount } = renderInEditor(<Panel {...props} testing streaming="주문하신 상품은" />);
    expect(screen.getByTestId("llm-stream").textContent).toContain("주문하신 상품은");
    unmount();
    renderInEditor(<Panel {...props} testing={false} streaming={undefined} />);
    expect(screen.queryByTestId("llm-stream")).toBeNull();
  });
});
