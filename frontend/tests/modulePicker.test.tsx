import { useState } from "react";
import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Field } from "../src/components/fields";
import { findModule, forgetModuleChoices, type ModuleChoice } from "../src/components/ModulePicker";
import { setBoot } from "../src/lib/api";
import { param, renderInEditor } from "./fixtures";

const CHOICES: ModuleChoice[] = [
  {
    id: 4,
    name: "churn",
    kind: "onnx",
    summary: "Who may leave",
    active_version: 2,
    versions: [
      { number: 3, input: "tabular", inputs: ["months", "tickets", "plan"], labels: ["stay", "leave"], note: "with plan" },
      { number: 2, input: "tabular", inputs: ["months", "tickets"], labels: ["stay", "leave"], note: "" },
    ],
  },
  { id: 9, name: "defects", kind: "onnx", summary: "Photo check", active_version: 1, versions: [{ number: 1, input: "image", inputs: ["photo"], labels: [], note: "" }] },
];

function answer(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

// The two parameters of the step as the panel renders them: the version picker sees the module chosen.
function ModuleForm({ onValues }: { onValues: (values: Record<string, unknown>) => void }) {
  const [values, setValues] = useState<Record<string, unknown>>({});
  const module = param("module", "string", { picker: "ai_module", expressions: false });
  const version = param("version", "integer", { picker: "ai_module_version", expressions: false });
  const set = (name: string) => (value: unknown) => {
    const next = { ...values, [name]: value };
    setValues(next);
    onValues(next);
  };
  return (
    <>
      <Field param={module} value={values.module} onChange={set("module")} nodeId="m" testid="param-module" fields={[]} siblings={values} />
      <Field param={version} value={values.version} onChange={set("version")} nodeId="m" testid="param-version" fields={[]} siblings={values} />
    </>
  );
}

beforeEach(() => {
  forgetModuleChoices();
  setBoot({ language: "en", csrf_token: "x", api_base: "/api/v1" });
});
afterEach(() => vi.unstubAllGlobals());

describe("AI module picker", () => {
  it("lists the organization's modules and versions with the fields they read, and stores name and number", async () => {
    const fetch = vi.fn((_url: string) => answer(200, CHOICES));
    vi.stubGlobal("fetch", fetch);
    const onValues = vi.fn();
    renderInEditor(<ModuleForm onValues={onValues} />);
    const picker = (await screen.findByRole("option", { name: "churn · v2" })).closest("select") as HTMLSelectElement;
    expect(screen.getByRole("option", { name: "defects · v1" })).toBeTruthy();
    expect((screen.getByTestId("param-version") as HTMLSelectElement).disabled).toBe(true); // no module yet
    fireEvent.change(picker, { target: { value: "churn" } });
    expect(onValues).toHaveBeenLastCalledWith({ module: "churn" });
    expect(screen.getByTestId("param-module-inputs").textContent).toBe("Reads the fields: months, tickets");
    const versions = screen.getByTestId("param-version") as HTMLSelectElement;
    expect(Array.from(versions.options).map((o) => o.textContent)).toEqual([
      "The version in use (v2)",
      "v3 · months, tickets, plan — with plan",
      "v2 · months, tickets",
    ]);
    fireEvent.change(versions, { target: { value: "3" } });
    expect(onValues).toHaveBeenLastCalledWith({ module: "churn", version: 3 });
    fireEvent.change(versions, { target: { value: "" } });
    expect(onValues).toHaveBeenLastCalledWith({ module: "churn", version: null });
    expect(fetch).toHaveBeenCalledTimes(1); // both pickers share one request
    expect(fetch.mock.calls[0][0]).toBe("/api/v1/ai/modules/choices");
  });

  it("finds a module by name or by number, as the step does", () => {
    expect(findModule(CHOICES, "defects")?.id).toBe(9);
    expect(findModule(CHOICES, "4")?.name).toBe("churn");
    expect(findModule(CHOICES, "")).toBeUndefined();
  });

  it("lets the person type the name when the list cannot be loaded", async () => {
    vi.stubGlobal("fetch", vi.fn(() => answer(500, { error: { code: "error", message: "boom" } })));
    const onValues = vi.fn();
    renderInEditor(<ModuleForm onValues={onValues} />);
    await waitFor(() => expect(screen.getByTestId("param-module-empty").textContent).toContain("could not be loaded"));
    fireEvent.change(screen.getByTestId("param-module"), { target: { value: "churn" } });
    expect(onValues).toHaveBeenLastCalledWith({ module: "churn" });
  });
});
