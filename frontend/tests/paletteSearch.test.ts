import { describe, expect, it } from "vitest";
import { searchSteps } from "../src/lib/paletteSearch";
import type { NodeSpec } from "../src/types/catalog";

const step = (key: string, en: string, ko: string, description = ""): NodeSpec =>
  ({
    key,
    version: 1,
    category: key.startsWith("svc") ? "action" : "data",
    icon: "box",
    label: { en, ko },
    description: { en: description, ko: description },
    is_trigger: false,
    inputs: ["main"],
    outputs: ["main"],
    parameters: [],
    dynamic_outputs: null,
    is_loop: false,
  }) as NodeSpec;

const CATALOG = [
  step("svc.query", "Query a database", "데이터베이스 조회", "With a filter and a sort."),
  step("svc.records", "List records", "레코드 목록", "Filter by formula."),
  step("x.filter", "Filter", "필터"),
  step("x.merge", "Merge", "합치기"),
];

describe("palette search", () => {
  it("puts the step named like the search before steps that only mention it", () => {
    expect(searchSteps(CATALOG, "filter").map((s) => s.key)).toEqual(["x.filter", "svc.query", "svc.records"]);
    expect(searchSteps(CATALOG, "필터")[0].key).toBe("x.filter");
  });

  it("matches the start of a word in a name before the key and the description", () => {
    expect(searchSteps(CATALOG, "rec").map((s) => s.key)).toEqual(["svc.records"]);
    expect(searchSteps(CATALOG, "data").map((s) => s.key)).toEqual(["svc.query"]);
  });

  it("keeps the catalog's order when nothing is searched and finds nothing for nonsense", () => {
    expect(searchSteps(CATALOG, "  ").map((s) => s.key)).toEqual(CATALOG.map((s) => s.key));
    expect(searchSteps(CATALOG, "zzz")).toEqual([]);
  });
});
