// A test run's results on the canvas: each step's status and output sample, fetched from the server.
import { get } from "./api";
import { editorState, type StatusInfo } from "../store/editorStore";
import type { OutputSample, Run } from "../types/api";
import type { NodeStatus } from "../types/graph";

export const RUN_DONE: readonly string[] = ["success", "failed", "cancelled"];

const NODE_STATUS: Record<string, NodeStatus> = {
  success: "success",
  pinned: "success",
  failed: "error",
  running: "running",
  waiting: "waiting",
  skipped: "skipped",
  cancelled: "error",
};

export const nodeStatus = (status: string): NodeStatus | string => NODE_STATUS[status] || status;

export async function loadRunOutputs(runId: number): Promise<Run> {
  const run = await get<Run>(`/runs/${runId}`);
  const statuses: Record<string, StatusInfo> = {};
  const outputs: Record<string, OutputSample> = {};
  for (const nr of run.node_runs || []) {
    statuses[nr.node_id] = { status: nodeStatus(nr.status), count: nr.items_out, error: nr.error || "" };
    if (nr.output_sample) outputs[nr.node_id] = nr.output_sample;
  }
  const store = editorState();
  store.setStatuses(() => statuses);
  store.setOutputs((previous) => ({ ...previous, ...outputs }));
  store.setLastSeq(run.seq || 0);
  store.setRunInfo(() => run);
  return run;
}
