import { useState } from "react";
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import OpenApiCallForm, { missingRequired, searchOperations, typedValue, type ConnectorDetail, type ConnectorOperation } from "../src/components/OpenApiCallForm";
import { setBoot } from "../src/lib/api";
import { renderInEditor } from "./fixtures";

afterEach(() => vi.unstubAllGlobals());

const op = (id: string, extra: Partial<ConnectorOperation> = {}): ConnectorOperation => ({
  id,
  method: "get",
  path: `/${id}`,
  summary: "",
  description: "",
  tag: "",
  deprecated: false,
  parameters: [],
  authentication: ["none"],
  servers: ["https://api.example.com"],
  ...extra,
});

const DETAIL: ConnectorDetail = {
  id: 4,
  name: "Air quality",
  servers: ["https://api.example.com"],
  operations: [
    op("getCtprvnRltmMesureDnsty", {
      summary: "시도별 실시간 측정정보 조회",
      tag: "대기오염정보",
      authentication: ["http_query"],
      parameters: [
        { key: "sidoName", name: "sidoName", in: "query", required: true, type: "string", description: "시도 이름", enum: ["서울", "부산"] },
        { key: "numOfRows", name: "numOfRows", in: "query", required: false, type: "integer", description: "한 페이지 결과 수", default: 10 },
        { key: "returnType", name: "returnType", in: "query", required: true, type: "string", description: "", default: "json" },
      ],
    }),
    op("createPet", { method: "post", summary: "Add a pet", tag: "pets", parameters: [{ key: "name", name: "name", in: "body", required: true, type: "string", description: "The pet's name" }] }),
    op("listPets", { summary: "List pets", tag: "pets" }),
  ],
};

function answer(body: unknown, status = 200) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

function Step({ initial, onParams }: { initial: Record<string, unknown>; onParams: (p: Record<string, unknown>) => void }) {
  const [params, setParamsState] = useState<Record<string, unknown>>(initial);
  return (
    <OpenApiCallForm
      parameters={params}
      setParams={(changes) => {
        const next = { ...params, ...changes };
        setParamsState(next);
        onParams(next);
      }}
      fields={[]}
      nodeId="call"
    />
  );
}

describe("the form of Call an API connector", () => {
  it("searches operations by words of the id, summary, path, method or tag, grouped by tag", () => {
    expect(searchOperations(DETAIL.operations, "pets").map(([tag, ops]) => [tag, ops.map((o) => o.id)])).toEqual([["pets", ["createPet", "listPets"]]]);
    expect(searchOperations(DETAIL.operations, "post pet").flatMap(([, ops]) => ops.map((o) => o.id))).toEqual(["createPet"]);
    expect(searchOperations(DETAIL.operations, "실시간").flatMap(([, ops]) => ops.map((o) => o.id))).toEqual(["getCtprvnRltmMesureDnsty"]);
    expect(searchOperations(DETAIL.operations, "nothing-like-this")).toEqual([]);
  });

  it("types numbers unless they are expressions, and names the required parameters left empty", () => {
    const rows = DETAIL.operations[0].parameters[1];
    expect(typedValue(rows, "20")).toBe(20);
    expect(typedValue(rows, "{{ json.n }}")).toBe("{{ json.n }}");
    expect(missingRequired(DETAIL.operations[0], { sidoName: "서울" })).toEqual(["returnType"]);
  });

  it("chooses a connector, finds an operation and fills its parameters from the schema", async () => {
    setBoot({ language: "en", csrf_token: "x", api_base: "/api/v1" });
    const calls: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn((url: string) => {
        calls.push(url);
        if (url === "/api/v1/connectors/openapi") return answer([{ id: 4, name: "Air quality", latest_version: 2 }]);
        if (url === "/api/v1/connectors/openapi/4") return answer(DETAIL);
        return answer({ error: { message: "no" } }, 404);
      }),
    );
    const onParams = vi.fn();
    renderInEditor(<Step initial={{}} onParams={onParams} />);
    await waitFor(() => expect(screen.getByTestId("openapi-connector").querySelectorAll("option").length).toBe(2));
    fireEvent.change(screen.getByTestId("openapi-connector"), { target: { value: "4" } });
    expect(onParams).toHaveBeenLastCalledWith({ connector: "4", operation: "", values: {}, server: "" });
    await screen.findByTestId("openapi-operation-search");
    fireEvent.change(screen.getByTestId("openapi-operation-search"), { target: { value: "실시간" } });
    expect(screen.queryByTestId("openapi-op-createPet")).toBeNull();
    fireEvent.click(screen.getByTestId("openapi-op-getCtprvnRltmMesureDnsty"));
    // A required parameter's default is filled in; the optional one is not sent until given.
    expect(onParams).toHaveBeenLastCalledWith(expect.objectContaining({ operation: "getCtprvnRltmMesureDnsty", values: { returnType: "json" } }));
    expect(screen.getByTestId("openapi-operation").textContent).toContain("/getCtprvnRltmMesureDnsty");
    expect(screen.getByTestId("openapi-authentication").textContent).toContain("http_query");
    const sido = screen.getByTestId("openapi-value-sidoName") as HTMLSelectElement;
    expect([...sido.options].map((o) => o.value)).toEqual(["", "서울", "부산"]); // enum → a list to choose from
    expect(screen.getByTestId("openapi-missing").textContent).toContain("sidoName");
    fireEvent.change(sido, { target: { value: "부산" } });
    expect(screen.getByTestId("openapi-param-numOfRows").textContent).toContain("Default: 10");
    expect(onParams).toHaveBeenLastCalledWith(expect.objectContaining({ values: { returnType: "json", sidoName: "부산" } }));
    expect(screen.queryByTestId("openapi-missing")).toBeNull();
    expect(calls).toEqual(["/api/v1/connectors/openapi", "/api/v1/connectors/openapi/4"]);
  });

  it("keeps the values the next operation shares and says when the chosen operation is gone", async () => {
    setBoot({ language: "en", csrf_token: "x", api_base: "/api/v1" });
    vi.stubGlobal(
      "fetch",
      vi.fn((url: string) => (url.endsWith("/openapi") ? answer([{ id: 4, name: "Air quality", latest_version: 2 }]) : answer(DETAIL))),
    );
    renderInEditor(<Step initial={{ connector: 4, operation: "removedOp", values: { name: "Rex" } }} onParams={() => {}} />);
    expect((await screen.findByTestId("openapi-operation-missing")).textContent).toContain("removedOp");
    cleanup();
    const onParams = vi.fn();
    renderInEditor(<Step initial={{ connector: 4, operation: "listPets", values: { name: "Rex", stale: 1 } }} onParams={onParams} />);
    fireEvent.click(await screen.findByTestId("openapi-op-createPet"));
    expect(onParams).toHaveBeenLastCalledWith(expect.objectContaining({ operation: "createPet", values: { name: "Rex" } }));
  });

  it("shows where to import a document when the organization has no connector", async () => {
    setBoot({ language: "en", csrf_token: "x", api_base: "/api/v1" });
    vi.stubGlobal("fetch", vi.fn(() => answer([])));
    renderInEditor(<Step initial={{}} onParams={() => {}} />);
    expect((await screen.findByTestId("openapi-no-connectors")).querySelector("a")!.getAttribute("href")).toBe("/connectors/api/");
  });
});
