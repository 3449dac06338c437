import { useState } from "react";
import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import ExpressionInput from "../src/components/ExpressionInput";
import { expressionFields, inputOf, insertField, partialAt, suggestionsFor } from "../src/lib/expressions";
import { edgeOf } from "../src/lib/graph";
import type { FlowNode } from "../src/types/graph";
import { renderInEditor } from "./fixtures";

const node = (id: string, name: string): FlowNode => ({ id, type: "ez", position: { x: 0, y: 0 }, data: { ntype: "test.set", name, parameters: {}, settings: {} } });

const data = {
  nodes: [node("a", "Orders"), node("b", "Filter"), node("c", "Send"), node("z", "Elsewhere")],
  edges: [edgeOf("a", "main", "b", "main"), edgeOf("b", "main", "c", "main")],
  pinned: {},
  outputs: {
    a: { main: { items: [{ id: 7, customer: { name: "Kim", "e-mail": "k@x" } }], count: 1 } },
    z: { main: { items: [{ secret: 1 }], count: 1 } },
  },
};

describe("expression data", () => {
  it("offers fields of earlier steps' last output, the input first, and nothing from unrelated steps", () => {
    const fields = expressionFields(data, "c", ["region"]);
    expect(fields.slice(0, 4)).toEqual(["json.id", "json.customer", "json.customer.name", 'json.customer["e-mail"]']);
    expect(fields).toContain('nodes["Orders"].json.customer.name');
    expect(fields).toContain("vars.region");
    expect(fields.some((f) => f.includes("secret"))).toBe(false);
  });

  it("passes data on through steps that have not run yet, and pinned data wins", () => {
    expect(inputOf(data, "c")).toEqual([{ id: 7, customer: { name: "Kim", "e-mail": "k@x" } }]);
    expect(inputOf({ ...data, pinned: { b: [{ pinned: true }] } }, "c")).toEqual([{ pinned: true }]);
    expect(inputOf(data, "a")).toBeNull();
  });

  it("completes an open {{ or inserts a new expression", () => {
    expect(partialAt("Hello {{ json.na", 16)).toBe("json.na");
    expect(partialAt("Hello {{ x }} there", 19)).toBeNull();
    expect(insertField("Hi {{ js", 8, "js", "json.name")).toEqual({ text: "Hi {{ json.name }}", caret: 18 });
    expect(insertField("Hi {{ js }}", 8, "js", "json.name")).toEqual({ text: "Hi {{ json.name }}", caret: 18 });
    expect(insertField("Hi ", 3, null, "json.name")).toEqual({ text: "Hi {{ json.name }}", caret: 18 });
    expect(suggestionsFor(["json.name", "json.id", "vars.Name"], "NAME")).toEqual(["json.name", "vars.Name"]);
  });
});

function Controlled({ fields }: { fields: string[] }) {
  const [value, setValue] = useState("");
  return <ExpressionInput value={value} onChange={setValue} fields={fields} nodeId="c" testid="param-text" />;
}

describe("ExpressionInput", () => {
  it("suggests earlier steps' fields after {{ and inserts the chosen one with the keyboard", () => {
    renderInEditor(<Controlled fields={expressionFields(data, "c", [])} />);
    const input = screen.getByTestId("param-text") as HTMLInputElement;
    fireEvent.change(input, { target: { value: "Dear {{ cust", selectionStart: 12 } });
    const list = screen.getByTestId("expression-suggestions");
    const options = [...list.querySelectorAll("li")].map((li) => li.textContent);
    expect(options).toEqual(["json.customer", "json.customer.name", 'json.customer["e-mail"]', 'nodes["Orders"].json.customer', 'nodes["Orders"].json.customer.name', 'nodes["Orders"].json.customer["e-mail"]']);
    fireEvent.keyDown(input, { key: "ArrowDown" });
    fireEvent.keyDown(input, { key: "Enter" });
    expect(input.value).toBe("Dear {{ json.customer.name }}");
    expect(screen.queryByTestId("expression-suggestions")).toBeNull();
  });

  it("offers nothing to insert when there is no earlier data", () => {
    renderInEditor(<Controlled fields={[]} />);
    expect(screen.queryByTestId("param-text-fields")).toBeNull();
  });
});
