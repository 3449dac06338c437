// The committed TypeScript types are what json-schema-to-typescript makes of the committed schemas (which
// tests/flows/test_editor_types.py compares with the server): regenerate with `npm run types`.
import { compileFromFile } from "json-schema-to-typescript";
import { describe, expect, it } from "vitest";
import catalogTypes from "../src/types/catalog.generated.ts?raw";
import graphTypes from "../src/types/graph.generated.ts?raw";

describe("generated types", () => {
  it.each([
    ["schema/flow-graph.schema.json", graphTypes],
    ["schema/node-catalog.schema.json", catalogTypes],
  ])("%s gives the committed types", async (schema, committed) => {
    expect(committed).toBe(await compileFromFile(schema));
  });
});
