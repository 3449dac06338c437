import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import DataView from "../src/components/DataView";
import { setBoot } from "../src/lib/api";
import { clearFileLinkCache, fileRefsIn, humanSize, isFileRef } from "../src/lib/files";
import { renderInEditor } from "./fixtures";

const CHART = { $file: "0b6c2f7e-1111-4a4a-8b8b-123456789abc", name: "chart.png", mime_type: "image/png", size: 2048 };
const SHEET = { $file: "0b6c2f7e-2222-4a4a-8b8b-123456789abc", name: "매출.xlsx", mime_type: "application/vnd.ms-excel", size: 10 };
const GONE = { $file: "0b6c2f7e-3333-4a4a-8b8b-123456789abc", name: "old.pdf", mime_type: "application/pdf", size: 5 };

afterEach(() => {
  vi.unstubAllGlobals();
  clearFileLinkCache();
});

describe("files in items", () => {
  it("recognises references and sizes", () => {
    expect(isFileRef(CHART)).toBe(true);
    expect(isFileRef({ $file: "nope" })).toBe(false);
    expect(fileRefsIn([{ file: CHART, body: { photos: [SHEET] } }]).map((f) => f.name)).toEqual(["chart.png", "매출.xlsx"]);
    expect(humanSize(2048)).toBe("2 KB");
    expect(humanSize(1536 * 1024)).toBe("1.5 MB");
  });

  it("shows files in the output table with download links and an image preview, asking the server once", async () => {
    setBoot({ language: "en", csrf_token: "x", api_base: "/api/v1" });
    const bodies: unknown[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn((_url: string, options: RequestInit) => {
        bodies.push(JSON.parse(String(options.body)));
        const files = [CHART, SHEET].map((f) => ({ id: f.$file, name: f.name, mime_type: f.mime_type, size: f.size, url: `/files/token-${f.name}`, expires_in: 3600 }));
        return Promise.resolve(new Response(JSON.stringify({ files }), { status: 200, headers: { "Content-Type": "application/json" } }));
      }),
    );
    renderInEditor(<DataView title="Output" items={[{ file: CHART, n: 1 }, { file: SHEET, n: 2 }, { file: GONE, n: 3 }]} testid="out" />);
    await waitFor(() => expect(screen.getAllByTestId("file-download")).toHaveLength(2));
    const links = screen.getAllByTestId("file-download").map((a) => a.getAttribute("href"));
    expect(links).toEqual(["/files/token-chart.png?download=1", "/files/token-매출.xlsx?download=1"]);
    expect(screen.getByAltText("chart.png").getAttribute("src")).toBe("/files/token-chart.png");
    expect(screen.queryByAltText("매출.xlsx")).toBeNull();
    expect(screen.getByText("not stored")).toBeTruthy(); // a file the organization no longer has
    expect(bodies).toEqual([{ files: [CHART.$file, SHEET.$file, GONE.$file] }]);
  });
});

describe("previews of PDFs", () => {
  it("shows a PDF's first page from the server's preview_url, and nothing for a file without one", async () => {
    setBoot({ language: "en", csrf_token: "x", api_base: "/api/v1" });
    const REPORT = { $file: "0b6c2f7e-4444-4a4a-8b8b-123456789abc", name: "report.pdf", mime_type: "application/pdf", size: 900 };
    vi.stubGlobal(
      "fetch",
      vi.fn(() => {
        const files = [
          { id: REPORT.$file, name: REPORT.name, mime_type: REPORT.mime_type, size: 900, url: "/files/t-pdf", expires_in: 3600, preview_url: "/files/t-pdf/preview" },
          { id: SHEET.$file, name: SHEET.name, mime_type: SHEET.mime_type, size: 10, url: "/files/t-xlsx", expires_in: 3600, preview_url: null },
        ];
        return Promise.resolve(new Response(JSON.stringify({ files }), { status: 200, headers: { "Content-Type": "application/json" } }));
      }),
    );
    renderInEditor(<DataView title="Output" items={[{ file: REPORT }, { file: SHEET }]} testid="out" />);
    await waitFor(() => expect(screen.getAllByTestId("file-download")).toHaveLength(2));
    expect(screen.getByAltText("report.pdf").getAttribute("src")).toBe("/files/t-pdf/preview");
    expect(screen.queryByAltText("매출.xlsx")).toBeNull();
  });
});
