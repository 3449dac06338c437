import { useEffect, useRef, useState } from "react";
import { useEditor } from "./context";
import { Field } from "./fields";
import DataView from "./DataView";
import OpenApiCallForm from "./OpenApiCallForm";
import WebhookListener from "./WebhookListener";
import { visibleParams } from "../lib/paramVisibility";
import { iconOf } from "./nodes";
import type { OutputSample } from "../types/api";
import type { FlowNode, Item, NodeData, NodeSettings, Problem } from "../types/graph";

// The parameters of "Call an API connector" that its own form (OpenApiCallForm) edits.
const OPENAPI_OWN_PARAMS = ["connector", "operation", "server", "values"];

const ON_ERROR = ["stop", "continue", "error_output"] as const;

function problemFor(problems: Problem[], name: string): string | null {
  const found = problems.filter((p) => p.path === `parameters.${name}` || (p.path || "").startsWith(`parameters.${name}.`) || (p.path || "").startsWith(`parameters.${name}[`));
  return found.length ? found.map((p) => p.message).join(" ") : null;
}

// What test data looks like for a step that receives web requests: the shape a production run receives.
export const REQUEST_EXAMPLE = '[{"body": {"name": "Kim", "amount": 12000}, "query": {}, "headers": {"Content-Type": "application/json"}}]';
const ITEM_EXAMPLE = '[{"name": "Kim", "amount": 12000}]';

interface PinEditorProps {
  pinned: Item[] | undefined;
  example: string;
  output: Item[] | null;
  onPin: (items: Item[] | null) => void;
  readOnly: boolean;
}

function PinEditor({ pinned, output, onPin, readOnly, example }: PinEditorProps) {
  const { t } = useEditor();
  const [text, setText] = useState(pinned ? JSON.stringify(pinned, null, 2) : "");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(pinned ? JSON.stringify(pinned, null, 2) : ""), [JSON.stringify(pinned)]);
  if (readOnly) return null;
  return (
    <details className="ez-pin" open={!!pinned}>
      <summary>{pinned ? t("Pinned test data (used instead of running this step)") : t("Pin test data")}</summary>
      <textarea
        className="ez-mono"
        rows={5}
        value={text}
        placeholder={example}
        onChange={(event) => setText(event.target.value)}
        aria-label={t("Pinned items (JSON list)")}
        data-testid="pin-text"
      />
      {error && <div className="ez-field-error" role="alert">{error}</div>}
      <div className="ez-row">
        <button
          type="button"
          className="ez-button"
          data-testid="pin-save"
          onClick={() => {
            try {
              const parsed: unknown = JSON.parse(text);
              const items: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
              if (!items.every((i): i is Item => !!i && typeof i === "object" && !Array.isArray(i))) throw new Error("shape");
              setError(null);
              onPin(items);
            } catch {
              setError(t("Write a JSON list of objects, like [{\"name\": \"Kim\"}]."));
            }
          }}
        >
          {t("Pin")}
        </button>
        {output && output.length > 0 && (
          <button type="button" className="ez-button" data-testid="pin-output" onClick={() => onPin(output)}>
            {t("Pin the last output")}
          </button>
        )}
        {pinned && (
          <button type="button" className="ez-button danger" data-testid="pin-clear" onClick={() => onPin(null)}>
            {t("Clear pinned data")}
          </button>
        )}
      </div>
    </details>
  );
}

interface Props {
  node: FlowNode;
  onChange: (id: string, changes: Partial<NodeData>) => void;
  onRename: (id: string, name: string) => boolean;
  problems: Problem[];
  fields: string[];
  input: Item[] | null;
  output: OutputSample | null;
  onTestNode: (id: string) => void;
  /** An AI model's answer so far, while this step is being tested. */
  streaming?: string;
  testing: boolean;
  pinned: Item[] | undefined;
  onPin: (id: string, items: Item[] | null) => void;
  onClose: () => void;
  runError: string | undefined;
  flowId: number;
}

export default function Panel({ node, onChange, onRename, problems, fields, input, output, onTestNode, testing, streaming, pinned, onPin, onClose, runError, flowId }: Props) {
  const { catalog, t, labelOf, readOnly, webhookUrl, copyWebhook } = useEditor();
  const spec = catalog[node.data.ntype];
  const [name, setName] = useState(node.data.name);
  // The answer being written is at the bottom of a long form: bring it into view once it starts.
  const streamRef = useRef<HTMLDivElement | null>(null);
  const streamShown = testing && streaming !== undefined;
  useEffect(() => {
    if (streamShown && streamRef.current && typeof streamRef.current.scrollIntoView === "function") streamRef.current.scrollIntoView({ block: "nearest" });
  }, [streamShown]);
  useEffect(() => setName(node.data.name), [node.id, node.data.name]);
  const parameters = node.data.parameters || {};
  const settings = node.data.settings || {};
  const setParam = (key: string, value: unknown) => onChange(node.id, { parameters: { ...parameters, [key]: value } });
  const setSetting = <K extends keyof NodeSettings>(key: K, value: NodeSettings[K]) => onChange(node.id, { settings: { ...settings, [key]: value } });
  const nodeProblems = problems.filter((p) => !(p.path || "").startsWith("parameters."));
  const authType = typeof parameters.authentication === "string" && parameters.authentication !== "none" ? parameters.authentication : "";
  const outputItems = output ? Object.values(output).flatMap((port) => port.items || []) : null;
  const receivesRequests = !!spec && spec.trigger_kind === "webhook";
  const outputCount = output ? Object.values(output).reduce((sum, port) => sum + (port.count || 0), 0) : null;
  return (
    <aside className="ez-panel" aria-label={t("Step settings")} data-testid="panel">
      <header className="ez-panel-head">
        <div>
          <div className="ez-panel-type" data-testid="panel-type">
            {iconOf(spec, 16)} {spec ? labelOf(spec.label) : node.data.ntype}
          </div>
          <input
            className="ez-panel-name"
            value={name}
            disabled={readOnly}
            aria-label={t("Step name")}
            data-testid="node-name"
            onChange={(event) => setName(event.target.value)}
            maxLength={200}
            onBlur={() => {
              // An empty name, or one another step has, is not taken: the box shows the step's name again.
              const wanted = name.trim();
              if (!wanted || (wanted !== node.data.name && onRename(node.id, wanted) === false)) setName(node.data.name);
            }}
            onKeyDown={(event) => event.key === "Enter" && event.currentTarget.blur()}
          />
        </div>
        <button type="button" className="ez-icon-button" onClick={onClose} aria-label={t("Close")}>
          ✕
        </button>
      </header>
      {spec && <p className="ez-hint">{labelOf(spec.description)}</p>}
      {nodeProblems.map((p, index) => (
        <div key={index} className="ez-field-error" role="alert">
          {p.message}
        </div>
      ))}
      {!spec && <div className="ez-field-error">{t("EZFlow does not know this kind of step. Replace it or delete it.")}</div>}
      {node.data.ntype === "trigger.webhook" && webhookUrl && (
        <div className="ez-webhook" data-testid="webhook-url">
          <span className="ez-field-label">{t("Webhook address")}</span>
          <code className="ez-mono">{webhookUrl}</code>
          <button type="button" className="ez-link" onClick={copyWebhook}>
            {t("Copy")}
          </button>
          <p className="ez-hint">{t("Other systems send requests here once the flow is published and switched on.")}</p>
        </div>
      )}
      {receivesRequests && !readOnly && <WebhookListener flowId={flowId} nodeId={node.id} onCaptured={(items) => onPin(node.id, items)} />}
      <form className="ez-form" onSubmit={(event) => event.preventDefault()}>
        {node.data.ntype === "openapi.call" && (
          <OpenApiCallForm parameters={parameters} setParams={(changes) => onChange(node.id, { parameters: { ...parameters, ...changes } })} disabled={readOnly} fields={fields} nodeId={node.id} />
        )}
        {visibleParams(spec ? spec.parameters : [], parameters)
          .filter((param) => !(node.data.ntype === "openapi.call" && OPENAPI_OWN_PARAMS.includes(param.name)))
          .map((param) => (
          <Field
            key={param.name}
            param={param}
            value={parameters[param.name]}
            onChange={(value) => setParam(param.name, value)}
            disabled={readOnly}
            fields={fields}
            nodeId={node.id}
            testid={`param-${param.name}`}
            error={problemFor(problems, param.name)}
            credentialType={param.type === "credential" ? param.credential_type || authType : undefined}
            siblings={parameters}
          />
        ))}
        {spec && !spec.is_trigger && node.data.ntype !== "note.sticky" && (
          <details className="ez-settings">
            <summary>{t("Step options")}</summary>
            <label className="ez-field">
              <span className="ez-field-label">{t("When this step fails")}</span>
              <select value={settings.on_error || "stop"} disabled={readOnly} onChange={(event) => setSetting("on_error", event.target.value as NodeSettings["on_error"])}>
                {ON_ERROR.map((v) => (
                  <option key={v} value={v}>
                    {t(`on_error:${v}`)}
                  </option>
                ))}
              </select>
            </label>
            <label className="ez-field">
              <span className="ez-field-label">{t("Attempts")}</span>
              <input
                type="number"
                min={1}
                max={10}
                disabled={readOnly}
                value={settings.retry_attempts || 1}
                onChange={(event) => setSetting("retry_attempts", Number(event.target.value) || 1)}
              />
            </label>
            <label className="ez-toggle">
              <input type="checkbox" checked={!!settings.disabled} disabled={readOnly} onChange={(event) => setSetting("disabled", event.target.checked)} />
              <span>{t("Skip this step (items pass through)")}</span>
            </label>
            <label className="ez-field">
              <span className="ez-field-label">{t("Notes")}</span>
              <textarea rows={2} value={settings.notes || ""} disabled={readOnly} onChange={(event) => setSetting("notes", event.target.value)} />
            </label>
          </details>
        )}
      </form>
      {spec && node.data.ntype !== "note.sticky" && (
        <section className="ez-panel-test">
          {!readOnly && (
            <button type="button" className="ez-button" onClick={() => onTestNode(node.id)} disabled={testing} data-testid="test-node">
              ▶ {t("Test this step")}
            </button>
          )}
          <PinEditor
            pinned={pinned}
            output={outputItems}
            onPin={(items) => onPin(node.id, items)}
            readOnly={readOnly}
            example={receivesRequests ? REQUEST_EXAMPLE : ITEM_EXAMPLE}
          />
          {input && <DataView title={t("Input")} items={input} testid="data-input" dragFields={!readOnly} />}
          {testing && streaming !== undefined && (
            <div className="ez-stream" data-testid="llm-stream" aria-live="polite" ref={streamRef}>
              <span className="ez-field-label">{t("The AI model is writing…")}</span>
              <p>{streaming}</p>
            </div>
          )}
          {runError && (
            <div className="ez-field-error" role="alert" data-testid="node-error">
              {t("This step failed:")} {runError}
            </div>
          )}
          {output && Object.keys(output).length <= 1 && <DataView title={t("Output")} items={outputItems} count={outputCount} testid="data-output" />}
          {output &&
            Object.keys(output).length > 1 &&
            Object.entries(output).map(([port, sample]) => (
              <DataView
                key={port}
                title={`${t("Output")} · ${t(`port:${port}`) === `port:${port}` ? port : t(`port:${port}`)}`}
                items={sample.items || []}
                count={sample.count}
                testid={`data-output-${port}`}
              />
            ))}
          {!input && !output && <p className="ez-hint">{t("Test the flow or this step to see its input and output here.")}</p>}
        </section>
      )}
    </aside>
  );
}
