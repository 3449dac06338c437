// Issue 17, the editor habits n8n users expect: fields dragged from the input panel onto a parameter, the panel's
// table/JSON/schema views, fields hidden when they do not apply, IF branches no item took, pinned data shown at once.
import { fireEvent, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import DataView from "../src/components/DataView";
import ExpressionInput from "../src/components/ExpressionInput";
import { childPath, dropField, FIELD_DRAG_TYPE, offsetAtX, schemaOf } from "../src/lib/dataFields";
import { displayEdges, edgeTaken, shownOutput } from "../src/lib/display";
import { insertField, partialAt } from "../src/lib/expressions";
import { isShown, visibleParams } from "../src/lib/paramVisibility";
import type { FlowEdge } from "../src/types/graph";
import { param, renderInEditor } from "./fixtures";

const ORDER = { customer: { email: "kim@example.com", "full name": "Kim Minji" }, total: 12000, paid: true, lines: [{ sku: "A" }], note: null };

describe("data fields", () => {
  it("writes paths the way the autocomplete does", () => {
    expect(childPath("json", "customer")).toBe("json.customer");
    expect(childPath("json.customer", "full name")).toBe('json.customer["full name"]');
  });

  it("lists every field, nested under its parent, with its type and an example", () => {
    const rows = schemaOf([ORDER, { total: 5, extra: "later" }]);
    expect(rows.map((r) => [r.path, r.depth, r.kind])).toEqual([
      ["json.customer", 0, "object"],
      ["json.customer.email", 1, "text"],
      ['json.customer["full name"]', 1, "text"],
      ["json.total", 0, "number"],
      ["json.paid", 0, "boolean"],
      ["json.lines", 0, "list"],
      ["json.note", 0, "empty"],
      ["json.extra", 0, "text"],
    ]);
    expect(rows.find((r) => r.path === "json.customer.email")!.example).toBe("kim@example.com");
    expect(rows.find((r) => r.path === "json.lines")!.example).toBe("[1]");
  });

  it("finds the character boundary under the pointer", () => {
    const measure = (piece: string) => piece.length * 10; // 10 px a character
    expect(offsetAtX("Hello", -3, measure)).toBe(0);
    expect(offsetAtX("Hello", 14, measure)).toBe(1);
    expect(offsetAtX("Hello", 16, measure)).toBe(2);
    expect(offsetAtX("Hello", 500, measure)).toBe(5);
  });

  it("drops a field as an expression, or as a bare path inside an open one", () => {
    expect(dropField("Dear , thanks", 5, "json.name")).toEqual({ text: "Dear {{ json.name }}, thanks", caret: 20 });
    expect(dropField("", 0, "json.customer.email").text).toBe("{{ json.customer.email }}");
    expect(dropField("{{ json.a +  }}", 12, "json.b").text).toBe("{{ json.a + json.b }}");
    expect(dropField("{{ }}", 3, "json.b").text).toBe("{{ json.b }}");
  });
});

function Controlled({ initial }: { initial: string }) {
  const [value, setValue] = useState(initial);
  return <ExpressionInput value={value} onChange={setValue} nodeId="n1" testid="param-to" fields={["json.customer.email"]} />;
}

function dataTransfer(data: Record<string, string>) {
  return { types: Object.keys(data), getData: (type: string) => data[type] || "", setData: vi.fn(), dropEffect: "none", effectAllowed: "all" };
}

describe("dragging a field from the input panel", () => {
  it("gives the table's columns and the schema's fields their expression to carry", () => {
    renderInEditor(<DataView title="Input" items={[ORDER]} testid="data-input" dragFields />);
    const started = dataTransfer({});
    fireEvent.dragStart(screen.getByTestId("data-input-column-customer"), { dataTransfer: started });
    expect(started.setData).toHaveBeenCalledWith(FIELD_DRAG_TYPE, "json.customer");
    fireEvent.click(screen.getByTestId("data-input-view-schema"));
    const nested = dataTransfer({});
    fireEvent.dragStart(screen.getByTestId("data-input-field-json.customer.email"), { dataTransfer: nested });
    expect(nested.setData).toHaveBeenCalledWith(FIELD_DRAG_TYPE, "json.customer.email");
    expect(nested.setData).toHaveBeenCalledWith("text/plain", "{{ json.customer.email }}");
  });

  it("is not offered on output data or to viewers", () => {
    renderInEditor(<DataView title="Output" items={[ORDER]} testid="data-output" />);
    expect(screen.getByTestId("data-output-column-customer").getAttribute("draggable")).not.toBe("true");
  });

  it("inserts the dropped field's expression into a text field", () => {
    renderInEditor(<Controlled initial="" />);
    const input = screen.getByTestId("param-to") as HTMLInputElement;
    fireEvent.drop(input, { dataTransfer: dataTransfer({ [FIELD_DRAG_TYPE]: "json.customer.email" }), clientX: 0 });
    expect(input.value).toBe("{{ json.customer.email }}");
  });

  it("ignores drops that are not fields", () => {
    renderInEditor(<Controlled initial="x" />);
    const input = screen.getByTestId("param-to") as HTMLInputElement;
    fireEvent.drop(input, { dataTransfer: dataTransfer({ "application/x-ezflow-node": "net.http" }) });
    expect(input.value).toBe("x");
  });
});

describe("panel views", () => {
  it("switches between table, JSON and schema", () => {
    renderInEditor(<DataView title="Output" items={[ORDER]} testid="data-output" />);
    expect(screen.getByTestId("data-output-column-total")).toBeTruthy();
    fireEvent.click(screen.getByTestId("data-output-view-json"));
    expect(screen.getByTestId("data-output-json").textContent).toContain('"email": "kim@example.com"');
    fireEvent.click(screen.getByTestId("data-output-view-schema"));
    const schema = screen.getByTestId("data-output-schema");
    expect(schema.textContent).toContain("email");
    expect(schema.textContent).toContain("number");
    expect(screen.getByTestId("data-output-view-schema").getAttribute("aria-selected")).toBe("true");
  });
});

describe("fields that do not apply", () => {
  const auth = param("auth", "select", { default: "none", options: [{ value: "none", label: {} }, { value: "header", label: {} }, { value: "hmac", label: {} }] });
  const header = param("auth_header", "string", { show_if: { auth: ["header"] } });
  const secret = param("secret", "string", { show_if: { auth: ["header", "hmac"] } });
  const params = [auth, header, secret];

  it("are hidden for the default choice and shown for the choices they serve", () => {
    expect(visibleParams(params, {}).map((p) => p.name)).toEqual(["auth"]);
    expect(visibleParams(params, { auth: "none" }).map((p) => p.name)).toEqual(["auth"]);
    expect(visibleParams(params, { auth: "hmac" }).map((p) => p.name)).toEqual(["auth", "secret"]);
    expect(visibleParams(params, { auth: "header" }).map((p) => p.name)).toEqual(["auth", "auth_header", "secret"]);
  });

  it("follow toggles too, and fields without a condition always show", () => {
    const paging = param("paging", "boolean", { default: false });
    const pages = param("max_pages", "integer", { show_if: { paging: [true] } });
    expect(isShown(pages, [paging, pages], {})).toBe(false);
    expect(isShown(pages, [paging, pages], { paging: true })).toBe(true);
    expect(isShown(paging, [paging, pages], {})).toBe(true);
  });
});

describe("a test run on the canvas", () => {
  const edge = (source: string, port: string, target: string): FlowEdge => ({ id: `${source}-${port}-${target}`, source, target, sourceHandle: port, targetHandle: "main" });
  const yes = edge("if", "true", "big");
  const no = edge("if", "false", "small");

  it("does not draw an IF branch no item took as done", () => {
    const statuses = { if: { status: "success", count: 2 }, big: { status: "success", count: 2 } };
    const outputs = { if: { true: { items: [{}, {}], count: 2 }, false: { items: [], count: 0 } } };
    expect(edgeTaken(yes, statuses, outputs)).toBe(true);
    expect(edgeTaken(no, statuses, outputs)).toBe(false);
    const drawn = displayEdges([yes, no], [], statuses, null, outputs);
    expect(drawn.map((e) => e.className?.trim())).toEqual(["done", ""]);
  });

  it("before the output sample is read, counts a branch as taken when its next step ran", () => {
    const statuses = { if: { status: "success" }, small: { status: "running" } };
    expect(edgeTaken(yes, statuses)).toBe(false);
    expect(edgeTaken(no, statuses)).toBe(true);
    expect(edgeTaken(no, { if: { status: "error" }, small: { status: "success" } })).toBe(false);
  });

  it("shows pinned data as the output as soon as it is pinned", () => {
    const last = { main: { items: [{ old: 1 }], count: 1 } };
    expect(shownOutput(last, [{ pinned: 1 }, { pinned: 2 }])).toEqual({ main: { items: [{ pinned: 1 }, { pinned: 2 }], count: 2 } });
    expect(shownOutput(last, undefined)).toBe(last);
    expect(shownOutput(undefined, undefined)).toBeNull();
  });
});

describe("expression suggestions anywhere inside {{ }}", () => {
  it("takes the path at the caret, not the whole expression before it", () => {
    expect(partialAt("{{ json.total + json.ta }}", 23)).toBe("json.ta");
    expect(partialAt("{{ json.total +  }}", 16)).toBe("");
    expect(partialAt("Hi {{ a }} there", 14)).toBeNull();
  });

  it("replaces only the path being typed and keeps the rest of the expression", () => {
    expect(insertField("{{ json.total + json.ta }}", 23, "json.ta", "json.tax")).toEqual({ text: "{{ json.total + json.tax }}", caret: 27 });
    expect(insertField("{{ json.total *  }} won", 16, "", "json.rate").text).toBe("{{ json.total * json.rate }} won");
    expect(insertField("{{ json.a + js", 14, "js", "json.b").text).toBe("{{ json.a + json.b }}");
    expect(insertField("{{js", 4, "js", "json.b").text).toBe("{{ json.b }}");
  });

  it("offers the fields when the caret is placed inside a written expression", () => {
    renderInEditor(<Controlled initial="{{ json.total + json.cu }}" />);
    const input = screen.getByTestId("param-to") as HTMLInputElement;
    input.setSelectionRange(23, 23);
    fireEvent.click(input);
    const options = [...screen.getByTestId("expression-suggestions").querySelectorAll("li")].map((li) => li.textContent);
    expect(options).toEqual(["json.customer.email"]);
    fireEvent.mouseDown(screen.getByText("json.customer.email"));
    expect(input.value).toBe("{{ json.total + json.customer.email }}");
  });
});

describe("the insert-field list", () => {
  it("stays open while the field has the focus and closes when the focus leaves it", () => {
    vi.useFakeTimers();
    try {
      renderInEditor(
        <div>
          <Controlled initial="Hello " />
          <button type="button" data-testid="elsewhere">
            x
          </button>
        </div>,
      );
      const input = screen.getByTestId("param-to") as HTMLInputElement;
      const button = screen.getByTestId("param-to-fields");
      input.focus();
      fireEvent.mouseDown(button);
      fireEvent.click(button);
      fireEvent.blur(input, { relatedTarget: button });
      vi.advanceTimersByTime(1000);
      expect(screen.getByTestId("expression-suggestions")).toBeTruthy();
      fireEvent.click(input); // placing the caret in plain text keeps a list opened with the button
      vi.advanceTimersByTime(1000);
      expect(screen.getByTestId("expression-suggestions")).toBeTruthy();
      fireEvent.blur(input, { relatedTarget: screen.getByTestId("elsewhere") });
      expect(screen.queryByTestId("expression-suggestions")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
