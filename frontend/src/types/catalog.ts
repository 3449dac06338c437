// The node catalog (GET /api/v1/nodes). Types come from schema/node-catalog.schema.json, which the server's answer is
// checked against in tests/flows/test_editor_types.py.
import type { NodeSpec } from "./catalog.generated";

export type { DynamicOutputs, Label, NodeCatalog, NodeSpec, ParamOption, ParamSpec, ParamType } from "./catalog.generated";

export type Catalog = Record<string, NodeSpec>;
