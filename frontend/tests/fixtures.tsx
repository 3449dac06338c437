// A node catalog as GET /api/v1/nodes serves it under the catalog contract (dynamic_outputs, is_loop), and helpers
// to render editor parts inside their context.
import type { ReactNode } from "react";
import { render } from "@testing-library/react";
import { EditorContext, type EditorContextValue } from "../src/components/context";
import { translator } from "../src/lib/i18n";
import type { NodeSpec, ParamSpec } from "../src/types/catalog";

const label = (en: string) => ({ en, ko: en });

export function param(name: string, type: ParamSpec["type"], extra: Partial<ParamSpec> = {}): ParamSpec {
  return { name, type, label: label(name), required: false, default: null, help: {}, expressions: true, ...extra };
}

function spec(key: string, extra: Partial<NodeSpec> = {}): NodeSpec {
  return {
    key,
    version: 1,
    category: "data",
    icon: "box",
    label: label(key),
    description: {},
    is_trigger: false,
    inputs: ["main"],
    outputs: ["main"],
    parameters: [],
    dynamic_outputs: null,
    is_loop: false,
    ...extra,
  };
}

// Keys are made up on purpose: the editor must draw ports from these fields, not from knowing step keys.
export const CATALOG: NodeSpec[] = [
  spec("test.start", { category: "trigger", is_trigger: true, inputs: [] }),
  spec("test.set", { parameters: [param("fields", "keyvalue", { required: true }), param("limit", "integer", { default: 10 })] }),
  spec("test.route", { outputs: ["main"], dynamic_outputs: { from: "cases", then: ["otherwise"] }, parameters: [param("cases", "list")] }),
  spec("test.repeat", { outputs: ["loop", "done"], is_loop: true }),
  spec("test.branch", { outputs: ["true", "false"] }),
  spec("test.end", { outputs: [] }),
  spec("note.sticky", { category: "note", inputs: [], outputs: [], parameters: [param("text", "text")] }),
];

export const catalogByKey = Object.fromEntries(CATALOG.map((s) => [s.key, s]));

export function renderInEditor(ui: ReactNode, overrides: Partial<EditorContextValue> = {}) {
  const { t, labelOf } = translator("en");
  const value: EditorContextValue = {
    catalog: catalogByKey,
    catalogList: CATALOG,
    t,
    labelOf,
    readOnly: false,
    preview: async () => ({ text: "" }),
    credentials: [],
    credentialTypes: [],
    createCredential: async () => ({ id: 1, name: "c", type: "http_basic" }),
    canManageCredentials: true,
    oauth2RedirectUri: "",
    webhookUrl: "",
    copyWebhook: () => {},
    saveNow: async () => true,
    ...overrides,
  };
  return render(<EditorContext.Provider value={value}>{ui}</EditorContext.Provider>);
}
