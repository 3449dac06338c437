import { useState } from "react";
import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { Field } from "../src/components/fields";
import type { ParamSpec } from "../src/types/catalog";
import { param, renderInEditor } from "./fixtures";

function Form({ spec, initial, onValue, error }: { spec: ParamSpec; initial?: unknown; onValue?: (v: unknown) => void; error?: string }) {
  const [value, setValue] = useState<unknown>(initial);
  return (
    <Field
      param={spec}
      value={value}
      onChange={(v) => {
        setValue(v);
        if (onValue) onValue(v);
      }}
      nodeId="n1"
      testid={`param-${spec.name}`}
      fields={[]}
      error={error}
    />
  );
}

describe("parameter fields", () => {
  it("shows the label, a required mark and the server's message for the field", () => {
    renderInEditor(<Form spec={param("url", "string", { required: true })} error="Fill in an address." />);
    expect(screen.getByText("url")).toBeTruthy();
    expect(screen.getByLabelText("required")).toBeTruthy();
    expect(screen.getByTestId("param-url-error").textContent).toBe("Fill in an address.");
  });

  it("turns a typed number into a number, and keeps an expression as text", () => {
    const onValue = vi.fn();
    renderInEditor(<Form spec={param("timeout", "integer", { default: 30 })} onValue={onValue} />);
    const input = screen.getByTestId("param-timeout") as HTMLInputElement;
    expect(input.value).toBe("30");
    fireEvent.change(input, { target: { value: "45" } });
    expect(onValue).toHaveBeenLastCalledWith(45);
    fireEvent.change(input, { target: { value: "{{ json.n }}" } });
    expect(onValue).toHaveBeenLastCalledWith("{{ json.n }}");
  });

  it("offers a select's options and a boolean as a toggle", () => {
    const onValue = vi.fn();
    const options = [
      { value: "GET", label: { en: "GET" } },
      { value: "POST", label: { en: "POST" } },
    ];
    renderInEditor(<Form spec={param("method", "select", { options, default: "GET" })} onValue={onValue} />);
    fireEvent.change(screen.getByTestId("param-method"), { target: { value: "POST" } });
    expect(onValue).toHaveBeenLastCalledWith("POST");
    renderInEditor(<Form spec={param("flag", "boolean")} onValue={onValue} />);
    fireEvent.click(screen.getByTestId("param-flag"));
    expect(onValue).toHaveBeenLastCalledWith(true);
    expect(screen.getByText("On")).toBeTruthy();
  });

  it("says when JSON is not valid, keeps the text and saves nothing until it is", () => {
    const onValue = vi.fn();
    renderInEditor(<Form spec={param("body", "json", { expressions: false })} onValue={onValue} />);
    const box = screen.getByTestId("param-body") as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: '{"a": 1,' } });
    fireEvent.blur(box);
    expect(screen.getByTestId("param-body-invalid").textContent).toMatch(/not valid JSON/);
    expect(onValue).not.toHaveBeenCalled();
    expect(box.value).toBe('{"a": 1,');
    fireEvent.change(box, { target: { value: '{"a": 1}' } });
    fireEvent.blur(box);
    expect(onValue).toHaveBeenLastCalledWith({ a: 1 });
    expect(screen.queryByTestId("param-body-invalid")).toBeNull();
  });

  it("keeps a key-value row whose name is taken on screen, unsaved, with a message", () => {
    const onValue = vi.fn();
    renderInEditor(<Form spec={param("headers", "keyvalue")} initial={{ Accept: "json" }} onValue={onValue} />);
    fireEvent.click(screen.getByTestId("param-headers-add"));
    fireEvent.change(screen.getByTestId("param-headers-1-name"), { target: { value: "Accept" } });
    expect(screen.getByTestId("param-headers-1-duplicate")).toBeTruthy();
    expect(onValue).toHaveBeenLastCalledWith({ Accept: "json" });
    fireEvent.change(screen.getByTestId("param-headers-1-name"), { target: { value: "X-Id" } });
    expect(onValue).toHaveBeenLastCalledWith({ Accept: "json", "X-Id": "" });
    expect(screen.queryByTestId("param-headers-1-duplicate")).toBeNull();
  });

  it("adds list entries with their fields' defaults", () => {
    const onValue = vi.fn();
    const spec = param("rules", "list", { item_fields: [param("value", "string", { default: "x" }), param("output", "string")] });
    renderInEditor(<Form spec={spec} onValue={onValue} />);
    fireEvent.click(screen.getByTestId("param-rules-add"));
    expect(onValue).toHaveBeenLastCalledWith([{ value: "x", output: "" }]);
    fireEvent.change(screen.getByTestId("param-rules-0-output"), { target: { value: "big" } });
    expect(onValue).toHaveBeenLastCalledWith([{ value: "x", output: "big" }]);
  });

  it("cannot be changed read-only", () => {
    renderInEditor(<Field param={param("url", "string")} value="a" onChange={() => {}} nodeId="n" testid="param-url" disabled />);
    expect((screen.getByTestId("param-url") as HTMLInputElement).disabled).toBe(true);
  });
});
