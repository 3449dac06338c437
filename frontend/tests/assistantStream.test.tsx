// Claude's text streamed over the live socket: the panel shows it as the pieces arrive (per model call, a retried
// call's text taken back), and the finished answer replaces it.
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import AssistantPanel from "../src/components/AssistantPanel";
import { useAssistant, type Assistant } from "../src/hooks/useAssistant";
import { setBoot } from "../src/lib/api";
import { addDelta } from "../src/lib/assistant";
import { translator } from "../src/lib/i18n";
import type { Boot } from "../src/types/api";

describe("addDelta", () => {
  it("appends pieces to their model call, in call order, and drops a retried call's text", () => {
    let streamed = addDelta([], 2, "Add");
    streamed = addDelta(streamed, 2, "ing a");
    streamed = addDelta(streamed, 4, "Done");
    streamed = addDelta(streamed, 3, "Now");
    expect(streamed).toEqual([
      { call: 2, text: "Adding a" },
      { call: 3, text: "Now" },
      { call: 4, text: "Done" },
    ]);
    expect(addDelta(streamed, 3, "", true)).toEqual([
      { call: 2, text: "Adding a" },
      { call: 4, text: "Done" },
    ]);
    expect(addDelta(streamed, 9, "")).toBe(streamed);
  });
});

afterEach(() => vi.unstubAllGlobals());

const boot = { flow_id: 5, can_edit: true, language: "en", csrf_token: "x", api_base: "/api/v1" } as unknown as Boot;
const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

function Harness({ expose }: { expose(assistant: Assistant): void }) {
  const { t } = translator("en");
  const assistant = useAssistant({ boot, loaded: true, flowApi: "/flows/5", toast: () => {}, errorText: String, t });
  expose(assistant);
  return <AssistantPanel t={t} assistant={assistant} canEdit onShowStep={() => {}} onClose={() => {}} />;
}

describe("the assistant panel while Claude answers", () => {
  it("shows the streamed text as it arrives, then the answer", async () => {
    setBoot({ language: "en", csrf_token: "x", api_base: "/api/v1" });
    let finish: (response: Response) => void = () => {};
    vi.stubGlobal(
      "fetch",
      vi.fn((_url: string, options: RequestInit) => {
        if (options.method === "POST") return new Promise<Response>((resolve) => (finish = resolve));
        return Promise.resolve(answer(200, { turns: [] }));
      }),
    );
    let assistant: Assistant | null = null;
    render(<Harness expose={(a) => (assistant = a)} />);
    fireEvent.change(screen.getByTestId("assistant-input"), { target: { value: "every day at 9 to Slack" } });
    fireEvent.click(screen.getByTestId("assistant-send"));
    await waitFor(() => expect(screen.getByTestId("assistant-busy")).toBeTruthy());

    const live = (call: number, text: string, extra = {}) =>
      act(() => assistant!.onLive({ type: "assistant.delta", flow_id: 5, call, text, ...extra }));
    live(1, "I'll add");
    expect(screen.getByTestId("assistant-busy").textContent).toContain("I'll add");
    live(1, " a schedule");
    live(3, "Every day");
    live(3, " at 9.");
    live(3, "ignored", { flow_id: 6 }); // another flow's answer
    const shown = [...screen.getByTestId("assistant-busy").querySelectorAll(".ez-assistant-progress")].map((p) => p.textContent);
    expect(shown).toEqual(["I'll add a schedule", "Every day at 9."]);
    live(3, "", { reset: true });
    expect(screen.getByTestId("assistant-busy").textContent).not.toContain("Every day");

    const turn = {
      id: 1,
      created_at: "2026-12-08T00:00:00Z",
      prompt: "every day at 9 to Slack",
      message: "Every day at 9 the flow posts to Slack.",
      notice: "",
      engine: "claude",
      graph_before: { nodes: [], edges: [] },
      graph: { nodes: [], edges: [] },
      changes: [],
      missing: [],
      state: "proposed",
    };
    await act(async () => finish(answer(201, turn)));
    await waitFor(() => expect(screen.queryByTestId("assistant-busy")).toBeNull());
    expect(screen.getByTestId("assistant-panel").textContent).toContain("Every day at 9 the flow posts to Slack.");
    expect(screen.getByTestId("assistant-panel").querySelectorAll(".ez-assistant-progress")).toHaveLength(0);
  });
});
