import { describe, expect, it } from "vitest";
import { graphDiff, pendingTurn, placeholdersByNode, undoableTurn, type Turn } from "../src/lib/assistant";
import type { StoredGraph } from "../src/types/graph";

const before: StoredGraph = {
  nodes: [
    { id: "n1", name: "Schedule", type: "trigger.schedule", parameters: { cron: "0 9 * * *" } },
    { id: "n2", name: "Slack", type: "slack.send", parameters: { text: "{{ json }}" } },
  ],
  edges: [{ source: "n1", target: "n2", source_port: "main", target_port: "main" }],
};
const after: StoredGraph = {
  nodes: [
    { id: "n1", name: "Schedule", type: "trigger.schedule", parameters: { cron: "0 8 * * *" } },
    { id: "n3", name: "Email", type: "net.email", parameters: {} },
  ],
  edges: [{ source: "n1", target: "n3", source_port: "main", target_port: "main" }],
};

function turn(id: number, state: Turn["state"], changes = 1): Turn {
  return {
    id, created_at: "", prompt: "p", message: "m", notice: "", engine: "offline", graph_before: before, graph: after, missing: [], state,
    changes: Array.from({ length: changes }, () => ({ action: "added" as const, node_id: "n3", type: "net.email", name: "Email" })),
  };
}

describe("assistant proposals", () => {
  it("compares the flow before a turn with the proposal step by step and connection by connection", () => {
    const diff = graphDiff(before, after);
    expect(diff.nodes.added.map((n) => n.id)).toEqual(["n3"]);
    expect(diff.nodes.removed.map((n) => n.id)).toEqual(["n2"]);
    expect(diff.nodes.changed.map((n) => [n.id, Object.keys(n.changes)])).toEqual([["n1", ["parameters"]]]);
    expect(diff.edges.added).toEqual([after.edges[0]]);
    expect(diff.edges.removed).toEqual([before.edges[0]]);
    expect(graphDiff(null, after).nodes.added).toHaveLength(2);
  });

  it("shows the newest unanswered proposal and lets only the newest applied turn be undone", () => {
    expect(pendingTurn([turn(1, "applied"), turn(2, "proposed")])!.id).toBe(2);
    expect(pendingTurn([turn(1, "proposed", 0)])).toBeNull();
    expect(undoableTurn([turn(1, "applied"), turn(2, "discarded")])!.id).toBe(1);
    expect(undoableTurn([turn(1, "applied"), turn(2, "proposed")])).toBeNull();
    expect(undoableTurn([turn(1, "undone")])).toBeNull();
  });

  it("marks placeholders on their steps", () => {
    const marks = placeholdersByNode([
      { code: "connect", message: "Connect Slack", node_id: "n2", credential_type: "slack_webhook" },
      { code: "unmapped", message: "no step" },
    ]);
    expect(Object.keys(marks)).toEqual(["n2"]);
    expect(marks.n2[0].message).toBe("Connect Slack");
  });
});
