import { screen, waitFor } from "@testing-library/react";
import { beforeAll, describe, expect, it } from "vitest";
import { Field } from "../src/components/fields";
import { tokenizeJavaScript } from "../src/lib/javascriptHighlight";
import { param, renderInEditor } from "./fixtures";

beforeAll(() => {
  // jsdom measures no text: CodeMirror asks ranges for their rectangles after drawing
  const proto = Range.prototype as unknown as Record<string, unknown>;
  proto.getClientRects ??= () => ({ length: 0, item: () => null, [Symbol.iterator]: function* () {} });
  proto.getBoundingClientRect ??= () => ({ x: 0, y: 0, width: 0, height: 0, top: 0, left: 0, right: 0, bottom: 0 });
});

const kinds = (code: string) => tokenizeJavaScript(code).flat();

describe("JavaScript highlighting of the code step", () => {
  it("tells keywords, strings, numbers, comments and n8n's names apart", () => {
    const tokens = kinds("const total = $input.all().length * 2; // items\nreturn [{ json: { ok: true, name: 'a // b' } }];");
    expect(tokens).toContainEqual(["const", "keyword"]);
    expect(tokens).toContainEqual(["return", "keyword"]);
    expect(tokens).toContainEqual(["$input", "variableName.special"]);
    expect(tokens).toContainEqual(["all", "variableName.function"]);
    expect(tokens).toContainEqual(["2", "number"]);
    expect(tokens).toContainEqual(["// items", "comment"]);
    expect(tokens).toContainEqual(["true", "atom"]);
    expect(tokens).toContainEqual(["'a // b'", "string"]); // a comment marker inside a string is text
  });

  it("carries block comments and template literals across lines, and knows a regex from a division", () => {
    const lines = tokenizeJavaScript("/* one\ntwo */ const s = `a\n${b}`;\nconst r = x.replace(/\\/+$/g, ''); const half = n / 2 / 1;");
    expect(lines[0]).toEqual([["/* one", "comment"]]);
    expect(lines[1][0]).toEqual(["two */", "comment"]);
    expect(lines[2][0]).toEqual(["${b}`", "string"]);
    expect(lines[3]).toContainEqual(["/\\/+$/g", "string.special"]);
    expect(lines[3].filter(([, kind]) => kind === "string.special")).toHaveLength(1); // n / 2 / 1 divides
  });

  it("the JavaScript code field is highlighted as JavaScript and the Python one as Python", async () => {
    renderInEditor(
      <>
        <Field param={param("code", "code", { language: "javascript" })} value={"const a = 1; // n"} onChange={() => {}} nodeId="n1" testid="js" fields={[]} />
        <Field param={param("code", "code", { language: "python" })} value={"def f():\n    return 1  # n"} onChange={() => {}} nodeId="n2" testid="py" fields={[]} />
      </>,
    );
    await waitFor(() => expect(screen.getByTestId("js").querySelector(".cm-content")).toBeTruthy());
    expect(screen.getByTestId("js").getAttribute("data-language")).toBe("javascript");
    expect(screen.getByTestId("py").getAttribute("data-language")).toBe("python");
    await waitFor(() => {
      const spans = Array.from(screen.getByTestId("js").querySelectorAll(".cm-line span")).map((s) => s.textContent);
      expect(spans).toContain("const");
      expect(spans).toContain("// n");
    });
  });
});
