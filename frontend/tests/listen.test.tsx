import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import WebhookListener from "../src/components/WebhookListener";
import { setBoot } from "../src/lib/api";
import { renderInEditor } from "./fixtures";

const captured = { method: "POST", headers: { "Content-Type": "application/json" }, query: { page: "2" }, body: { name: "Kim", amount: 12000 } };

function listen(status: string, item: unknown = null) {
  return {
    id: 7,
    node_id: "hook",
    status,
    test_url: "http://acme.localhost/webhook-test/abcdefghijklmnop",
    curl: "curl -X POST 'http://acme.localhost/webhook-test/abcdefghijklmnop' -d '{}'",
    expires_at: "2030-01-01T00:00:00Z",
    item,
  };
}

function answer(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

afterEach(() => vi.unstubAllGlobals());

describe("Listen for a test request", () => {
  it("shows the test address and curl, waits, then pins the captured request as the step's test data", async () => {
    setBoot({ language: "en", csrf_token: "x", api_base: "/api/v1" });
    const calls: string[] = [];
    let polls = 0;
    vi.stubGlobal(
      "fetch",
      vi.fn((url: string, options: RequestInit) => {
        calls.push(`${options.method} ${url}`);
        if (options.method === "POST") return answer(201, listen("listening"));
        polls += 1;
        return answer(200, polls < 2 ? listen("listening") : listen("captured", captured));
      }),
    );
    const onCaptured = vi.fn();
    renderInEditor(<WebhookListener flowId={3} nodeId="hook" onCaptured={onCaptured} pollMs={5} />);
    fireEvent.click(screen.getByTestId("listen-start"));
    expect((await screen.findByTestId("listen-url")).textContent).toContain("/webhook-test/");
    expect(screen.getByTestId("listen-curl").textContent).toMatch(/^curl -X POST/);
    await waitFor(() => expect(onCaptured).toHaveBeenCalledWith([captured]));
    expect(onCaptured).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("listen-captured")).toBeTruthy();
    expect(calls[0]).toBe("POST /api/v1/flows/3/webhook-listen");
    expect(calls.slice(1).every((c) => c === "GET /api/v1/flows/3/webhook-listen/7")).toBe(true);
  });

  it("says so when no request arrived in time, and offers to listen again", async () => {
    setBoot({ language: "en", csrf_token: "x", api_base: "/api/v1" });
    vi.stubGlobal("fetch", vi.fn((_url: string, options: RequestInit) => answer(options.method === "POST" ? 201 : 200, listen(options.method === "POST" ? "listening" : "expired"))));
    const onCaptured = vi.fn();
    renderInEditor(<WebhookListener flowId={3} nodeId="hook" onCaptured={onCaptured} pollMs={5} />);
    fireEvent.click(screen.getByTestId("listen-start"));
    expect(await screen.findByTestId("listen-expired")).toBeTruthy();
    expect(screen.getByTestId("listen-start")).toBeTruthy();
    expect(onCaptured).not.toHaveBeenCalled();
  });
});
