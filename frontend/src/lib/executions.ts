// The flow's recent runs inside the editor (issue 17, "executions"): the list as the side panel shows it, and what
// opening one puts on the canvas. Pure functions; the hook (hooks/useExecutions.ts) does the fetching.
import type { StatusInfo } from "../store/editorStore";
import type { NodeRun, OutputSample, Run } from "../types/api";
import type { FlowNode, Item } from "../types/graph";
import { nodeStatus } from "./runs";

/** A test run from the editor (a draft with its pinned data), not a production run. */
export const isTestRun = (run: Pick<Run, "trigger" | "is_test">): boolean => (run.is_test === undefined ? run.trigger === "test" : run.is_test);

/** How people name a run: "#3", the flow's own number (what the run pages show), not the organization-wide id. */
export const runLabel = (run: Pick<Run, "id" | "number">): string => `#${run.number || run.id}`;

/** Newest first, each run once (a fresher copy of a run replaces the older one). */
export function mergeRuns(current: Run[], fresh: Run[], limit = 50): Run[] {
  const byId = new Map<number, Run>();
  for (const run of current) byId.set(run.id, run);
  for (const run of fresh) byId.set(run.id, { ...byId.get(run.id), ...run });
  return [...byId.values()].sort((a, b) => (b.created_at || "").localeCompare(a.created_at || "") || b.id - a.id).slice(0, limit);
}

/** The last record of each step (a step in a loop runs several times; the last one says how it ended). */
function lastRuns(run: Run): NodeRun[] {
  const byNode = new Map<string, NodeRun>();
  for (const nr of run.node_runs || []) byNode.set(nr.node_id, nr);
  return [...byNode.values()];
}

/** The step a run failed at: the one the run names, else the first step that failed. */
export function failedNodeOf(run: Run): string | null {
  if (run.error_node_id) return run.error_node_id;
  const failed = (run.node_runs || []).find((nr) => nr.status === "failed");
  return failed ? failed.node_id : null;
}

export interface RunView {
  statuses: Record<string, StatusInfo>;
  outputs: Record<string, OutputSample>;
  /** Steps this run had that the draft no longer has (by their name in the run). */
  missing: string[];
}

/** What the canvas shows for a run: each step's status, error (in words) and output. */
export function runView(run: Run, nodes: Pick<FlowNode, "id">[]): RunView {
  const statuses: Record<string, StatusInfo> = {};
  const outputs: Record<string, OutputSample> = {};
  const present = new Set(nodes.map((n) => n.id));
  const missing: string[] = [];
  for (const nr of lastRuns(run)) {
    if (!present.has(nr.node_id)) missing.push(nr.node_name || nr.node_id);
    statuses[nr.node_id] = { status: nodeStatus(nr.status), count: nr.items_out, error: nr.error || "" };
    if (nr.output_sample) outputs[nr.node_id] = nr.output_sample;
  }
  // A run that failed before any step started still names the step in its error.
  const failed = failedNodeOf(run);
  if (failed && !statuses[failed]) statuses[failed] = { status: "error", error: run.error || "" };
  else if (failed && statuses[failed] && !statuses[failed].error) statuses[failed] = { ...statuses[failed], error: run.error || "" };
  return { statuses, outputs, missing };
}

/**
 * The data to pin on the trigger so a test run starts with what this run received: what the trigger put out in it,
 * else the run's input items. Null when the run has neither.
 */
export function replayItems(run: Run, nodes: Pick<FlowNode, "id" | "data">[], isTrigger: (ntype: string) => boolean): { nodeId: string; items: Item[] } | null {
  const trigger = nodes.find((n) => isTrigger(n.data.ntype));
  if (!trigger) return null;
  const own = lastRuns(run).find((nr) => nr.node_id === trigger.id);
  const sample = own && own.output_sample ? own.output_sample.main || Object.values(own.output_sample)[0] : undefined;
  const items = sample && sample.items && sample.items.length ? sample.items : (run.input_items || []).filter((i) => i && typeof i === "object" && Object.keys(i).length);
  return items.length ? { nodeId: trigger.id, items } : null;
}
