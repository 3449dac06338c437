// What the REST API answers, as far as the editor reads it.
import type { Item, Problem, StoredGraph, StoredNode, StoredEdge } from "./graph";

export interface Boot {
  flow_id: number;
  flow_url: string;
  can_edit: boolean;
  role: string;
  language: string;
  api_base: string;
  ws_path: string;
  csrf_token: string;
  max_body_bytes?: number | null;
  /** The organization's time zone: every date in the editor is written in it (lib/dates.ts). */
  time_zone?: string;
  oauth2_redirect_uri?: string;
}

export interface FlowInfo {
  id: number;
  name: string;
  active: boolean;
  published_version: number | null;
  draft_revision: number;
  webhook_path: string;
  graph?: StoredGraph;
}

export type RunStatus = "queued" | "running" | "waiting" | "success" | "failed" | "cancelled";

/** One output port's last test sample. */
export interface PortSample {
  items?: Item[];
  count?: number;
}
export type OutputSample = Record<string, PortSample>;

export interface NodeRun {
  node_id: string;
  node_name?: string;
  status: string;
  items_out?: number;
  error?: string | null;
  output_sample?: OutputSample | null;
}

export interface Run {
  id: number;
  /** The flow's own run number (#1, #2, ... without gaps); `id` is organization-wide. */
  number?: number;
  /** A test of the draft from the editor (kept apart from production runs). */
  is_test?: boolean;
  status: RunStatus;
  seq?: number;
  error?: string | null;
  error_node_id?: string;
  /** manual, webhook, schedule, error, retry, or test (a test of the draft from the editor). */
  trigger?: string;
  created_at?: string;
  duration_ms?: number | null;
  version?: number | null;
  input_items?: Item[];
  node_runs?: NodeRun[];
}

export interface RunPage {
  count: number;
  next: string | null;
  results: Run[];
}

export interface TestNodeResult {
  status: string;
  items_out?: number;
  error?: string | null;
  outputs: OutputSample;
}

export interface ExpressionResult {
  ok: boolean;
  value?: unknown;
  error?: string;
}

export interface Credential {
  id: number;
  name: string;
  type: string;
  status?: string;
  status_message?: string;
}

export interface CredentialField {
  name: string;
  label: string;
  secret?: boolean;
  required?: boolean;
  url?: boolean;
  pattern?: string;
  example?: string;
}

export interface CredentialType {
  key: string;
  label: string;
  fields: CredentialField[];
  oauth2?: boolean;
  can_test?: boolean;
  test_needs_url?: boolean;
  help?: string;
  icon?: string;
}

export interface Variable {
  name: string;
}

export interface Version {
  number: number;
  created_at: string;
  message: string;
}

export interface ChangedNode {
  id: string;
  name: string;
  changes: Record<string, unknown>;
}

export interface VersionDiff {
  nodes: { added: StoredNode[]; removed: StoredNode[]; changed: ChangedNode[] };
  edges: { added: StoredEdge[]; removed: StoredEdge[] };
}

export interface ImportResult {
  flow: { id: number };
  unsupported: (string | { name?: string; type?: string })[];
  warnings: (string | { message?: string })[];
}

export interface SavedFlow extends FlowInfo {
  problems?: Problem[];
}

export interface ValidationResult {
  problems?: Problem[];
}
