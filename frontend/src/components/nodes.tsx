import { memo, useState } from "react";
import { Handle, Position, NodeResizer, type NodeProps, type NodeTypes } from "@xyflow/react";
import type { LucideIcon } from "lucide-react";
import { useEditor } from "./context";
import { portsOf } from "../lib/graph";
import type { NodeSpec } from "../types/catalog";
import type { FlowNode } from "../types/graph";
import {
  AlertTriangle, ArrowUpDown, Ban, Box, Calendar, Circle, Clock, Code, Copy, Eraser, FileSpreadsheet, FileText, Filter,
  GitBranch, GitFork, GitMerge, Globe, Hourglass, Image as ImageIcon, Layers, Lock, Mail, MessageSquare, Pencil, Play, Repeat, Reply,
  Scissors, Split, StickyNote, Table, Webhook, Workflow, Pin, AlignLeft, Bot, Cpu, EyeOff, Search, Smile, Sparkles, Tag, Tags,
  TrendingUp,
} from "lucide-react";

const ICONS: Record<string, LucideIcon> = {
  alert: AlertTriangle, branch: GitBranch, calendar: Calendar, circle: Circle, clock: Clock, code: Code, copy: Copy,
  eraser: Eraser, "file-text": FileText, filter: Filter, globe: Globe, image: ImageIcon, hourglass: Hourglass, layers: Layers, lock: Lock, mail: Mail,
  merge: GitMerge, note: StickyNote, pencil: Pencil, play: Play, repeat: Repeat, reply: Reply, scissors: Scissors,
  sheet: FileSpreadsheet, slack: MessageSquare, sort: ArrowUpDown, split: Split, stop: Ban, subflow: Workflow, switch: GitFork, table: Table,
  webhook: Webhook,
  // AI and document steps
  "alert-triangle": AlertTriangle, "align-left": AlignLeft, cpu: Cpu, "eye-off": EyeOff, robot: Bot, search: Search, smile: Smile,
  sparkles: Sparkles, tag: Tag, tags: Tags, "trending-up": TrendingUp,
};

// A connector's step names its service's lettermark (static/connectors/icons/<name>.svg) instead of a drawn icon.
const SERVICE_ICON = /^[a-z0-9_-]{2,40}$/;

function ServiceMark({ name, size }: { name: string; size: number }) {
  const [failed, setFailed] = useState(false);
  if (failed) return <Box size={size} strokeWidth={2} aria-hidden="true" />;
  return <img className="ez-service-icon" src={`/static/connectors/icons/${name}.svg`} width={size} height={size} alt="" aria-hidden="true" onError={() => setFailed(true)} />;
}

export function iconOf(spec: NodeSpec | undefined, size = 18) {
  const Icon = spec && ICONS[spec.icon];
  if (!Icon && spec && SERVICE_ICON.test(spec.icon)) return <ServiceMark name={spec.icon} size={size} />;
  const Drawn = Icon || Box;
  return <Drawn size={size} strokeWidth={2} aria-hidden="true" />;
}

const STATUS_MARK: Record<string, string> = { running: "…", success: "✓", error: "✗", skipped: "–", waiting: "⏸" };

function EzNode({ id, data, selected }: NodeProps<FlowNode>) {
  const { catalog, t, labelOf } = useEditor();
  const spec = catalog[data.ntype];
  const { inputs, outputs } = portsOf(spec, data);
  const classes = ["ez-node", `cat-${spec ? spec.category : "unknown"}`];
  if (selected) classes.push("selected");
  if (data.status) classes.push(`status-${data.status}`);
  if (data.problems && data.problems.length) classes.push("has-problems");
  if (data.diff) classes.push(`diff-${data.diff}`);
  if (data.settings && data.settings.disabled) classes.push("disabled");
  const portLabel = (port: string) => (port === "main" ? "" : t(`port:${port}`) === `port:${port}` ? port : t(`port:${port}`));
  return (
    <div className={classes.join(" ")} data-testid={`node-${data.name}`} data-node-id={id} data-status={data.status || ""} title={data.name}>
      {inputs.map((port, index) => (
        <Handle
          key={`in-${port}`}
          type="target"
          position={Position.Left}
          id={port}
          style={{ top: `${((index + 1) * 100) / (inputs.length + 1)}%` }}
          data-testid={`in-${data.name}-${port}`}
          aria-label={`${t("Input")} ${portLabel(port)}`}
        />
      ))}
      <div className="ez-node-icon" aria-hidden="true">{iconOf(spec)}</div>
      <div className="ez-node-text">
        <div className="ez-node-name">{data.name}</div>
        <div className="ez-node-type">{spec ? labelOf(spec.label) : data.ntype}</div>
      </div>
      {data.status && (
        <span className={`ez-node-status ${data.status}`} data-testid={`status-${data.name}`} title={t(`status:${data.status}`)}>
          {STATUS_MARK[data.status] || ""}
          {data.count != null && data.status === "success" ? ` ${data.count}` : ""}
        </span>
      )}
      {data.pinned && <span className="ez-node-pin" title={t("Pinned test data")}><Pin size={12} aria-hidden="true" /></span>}
      {data.problems && data.problems.length > 0 && (
        <span className="ez-node-problems" title={data.problems.map((p) => p.message).join("\n")} data-testid={`problems-${data.name}`}>
          {data.problems.length}
        </span>
      )}
      {outputs.map((port, index) => (
        <Handle
          key={`out-${port}`}
          type="source"
          position={Position.Right}
          id={port}
          style={{ top: `${((index + 1) * 100) / (outputs.length + 1)}%` }}
          data-testid={`out-${data.name}-${port}`}
          aria-label={`${t("Output")} ${portLabel(port)}`}
        >
          {port !== "main" && <span className="ez-port-label">{portLabel(port)}</span>}
        </Handle>
      ))}
    </div>
  );
}

function StickyNode({ data, selected }: NodeProps<FlowNode>) {
  const { readOnly } = useEditor();
  return (
    <div className={`ez-sticky${selected ? " selected" : ""}${data.diff ? ` diff-${data.diff}` : ""}`} data-testid={`node-${data.name}`}>
      <NodeResizer isVisible={selected && !readOnly} minWidth={140} minHeight={80} />
      <div className="ez-sticky-text">{(data.parameters && typeof data.parameters.text === "string" && data.parameters.text) || data.name}</div>
    </div>
  );
}

export const nodeTypes: NodeTypes = { ez: memo(EzNode), sticky: memo(StickyNode) };
