// Issue 17: the larger expression editor (fields to click or drag in, suggestions, live preview), in both languages.
import { useState } from "react";
import { act, fireEvent, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import ExpressionInput from "../src/components/ExpressionInput";
import { FIELD_DRAG_TYPE } from "../src/lib/dataFields";
import { depthOf, groupFields } from "../src/lib/fieldGroups";
import { translator } from "../src/lib/i18n";
import { renderInEditor } from "./fixtures";

const FIELDS = ["json.id", "json.customer", "json.customer.name", 'nodes["Orders \\"EU\\""].json.total', "vars.region", "now()"];

describe("groupFields", () => {
  it("groups the input, each earlier step by its name, variables and built-ins", () => {
    expect(groupFields(FIELDS)).toEqual([
      { key: "input", fields: ["json.id", "json.customer", "json.customer.name"] },
      { key: 'step:Orders "EU"', step: 'Orders "EU"', fields: ['nodes["Orders \\"EU\\""].json.total'] },
      { key: "vars", fields: ["vars.region"] },
      { key: "builtin", fields: ["now()"] },
    ]);
    expect(depthOf("json.customer")).toBe(1);
    expect(depthOf("json.customer.name")).toBe(2);
    expect(depthOf('nodes["A"].json.total')).toBe(1);
    expect(depthOf("flow.name")).toBe(0);
  });
});

function Controlled({ initial = "Hello " }: { initial?: string }) {
  const [value, setValue] = useState(initial);
  return (
    <>
      <ExpressionInput value={value} onChange={setValue} fields={FIELDS} nodeId="c" testid="param-text" />
      <output data-testid="stored">{value}</output>
    </>
  );
}

const flush = () => act(async () => new Promise((resolve) => setTimeout(resolve, 400)));

describe("the larger expression editor", () => {
  it("opens from the field, puts a clicked field at the caret, previews the result live and edits the field itself", async () => {
    const preview = vi.fn(async (_node: string, value: string) => ({ text: value.replace("{{ json.customer.name }}", "Kim") }));
    renderInEditor(<Controlled />, { preview });
    fireEvent.click(screen.getByTestId("param-text-expand"));
    const dialog = screen.getByTestId("expression-dialog");
    expect(dialog.textContent).toContain("Edit expression");
    expect(dialog.textContent).toContain("This step's input");
    expect(dialog.textContent).toContain('Step “Orders "EU"”');
    const big = screen.getByTestId("param-text-big") as HTMLTextAreaElement;
    expect(big.tagName).toBe("TEXTAREA");
    expect(screen.queryByTestId("param-text-big-fields")).toBeNull(); // its field list is beside it, not a button
    big.focus();
    big.setSelectionRange(6, 6);
    fireEvent.click(screen.getByTestId("expression-field-json.customer.name"));
    expect(screen.getByTestId("stored").textContent).toBe("Hello {{ json.customer.name }}");
    await flush();
    expect(preview).toHaveBeenCalledWith("c", "Hello {{ json.customer.name }}");
    expect(screen.getByTestId("param-text-big-preview").textContent).toContain("Hello Kim");
    fireEvent.click(screen.getByTestId("expression-dialog-done"));
    expect(screen.queryByTestId("expression-dialog")).toBeNull();
    expect((screen.getByTestId("param-text") as HTMLInputElement).value).toBe("Hello {{ json.customer.name }}");
  });

  it("suggests fields inside {{ }} in the big text area and takes a dropped field", () => {
    renderInEditor(<Controlled initial="" />);
    fireEvent.click(screen.getByTestId("param-text-expand"));
    const big = screen.getByTestId("param-text-big") as HTMLTextAreaElement;
    fireEvent.change(big, { target: { value: "{{ cust", selectionStart: 7 } });
    const options = [...screen.getByTestId("expression-suggestions").querySelectorAll("li")].map((li) => li.textContent);
    expect(options).toEqual(["json.customer", "json.customer.name"]);
    // Escape closes the list first, then the dialog.
    fireEvent.keyDown(big, { key: "Escape" });
    expect(screen.queryByTestId("expression-suggestions")).toBeNull();
    expect(screen.getByTestId("expression-dialog")).toBeTruthy();
    const data = new Map<string, string>([[FIELD_DRAG_TYPE, "vars.region"]]);
    const dataTransfer = { types: [FIELD_DRAG_TYPE], getData: (k: string) => data.get(k) || "", dropEffect: "" };
    fireEvent.change(big, { target: { value: "Region: " } });
    fireEvent.drop(big, { dataTransfer });
    expect(screen.getByTestId("stored").textContent).toBe("Region: {{ vars.region }}");
    fireEvent.keyDown(big, { key: "Escape" });
    expect(screen.queryByTestId("expression-dialog")).toBeNull();
  });

  it("sets a field's drag data so it can be dropped on any expression field", () => {
    renderInEditor(<Controlled />);
    fireEvent.click(screen.getByTestId("param-text-expand"));
    const set = vi.fn();
    fireEvent.dragStart(screen.getByTestId("expression-field-json.id"), { dataTransfer: { setData: set, effectAllowed: "" } });
    expect(set).toHaveBeenCalledWith(FIELD_DRAG_TYPE, "json.id");
  });

  it("speaks Korean", () => {
    const { t, labelOf } = translator("ko");
    renderInEditor(<Controlled />, { t, labelOf });
    fireEvent.click(screen.getByTestId("param-text-expand"));
    const dialog = screen.getByTestId("expression-dialog");
    expect(dialog.textContent).toContain("표현식 편집");
    expect(dialog.textContent).toContain("이 단계의 입력");
    expect(dialog.textContent).toContain("완료");
  });
});
