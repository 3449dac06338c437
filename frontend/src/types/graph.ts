// The stored graph (ezflow/1) as the server's JSON Schema describes it, and the editor's React Flow shapes.
import type { Edge, Node } from "@xyflow/react";
import type { EZFlowFlowGraphEzflow1 } from "./graph.generated";

export type StoredGraph = EZFlowFlowGraphEzflow1;
export type StoredNode = StoredGraph["nodes"][number];
export type StoredEdge = StoredGraph["edges"][number];
export type NodeSettings = NonNullable<StoredNode["settings"]>;
export type Parameters = Record<string, unknown>;

/** One item flowing between steps. */
export type Item = Record<string, unknown>;
/** Test data per node id. */
export type Pinned = Record<string, Item[]>;

export type NodeStatus = "running" | "success" | "error" | "skipped" | "waiting";
export type DiffMark = "added" | "changed" | "removed";

export interface Problem {
  node_id?: string | null;
  path?: string | null;
  message: string;
  code?: string;
}

export interface NodeData extends Record<string, unknown> {
  ntype: string;
  type_version?: number;
  name: string;
  parameters: Parameters;
  settings: NodeSettings;
  // Only on the nodes handed to React Flow for drawing (see lib/display.ts).
  status?: NodeStatus;
  count?: number;
  problems?: Problem[];
  diff?: DiffMark;
  pinned?: boolean;
}

export type FlowNodeType = "ez" | "sticky";
export type FlowNode = Node<NodeData, FlowNodeType>;
export type FlowEdge = Edge;
