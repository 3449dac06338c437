// The form of "Call an API connector" (openapi.call): choose one of the organization's imported API connectors, then
// one of its operations from a searchable list grouped by tag, then fill that operation's parameters in fields built
// from the document's schema (type, enum, required, default, description). Writes the step's `connector`,
// `operation`, `server` and `values` parameters; the other parameters (sign-in, time limit) keep the generic form.
import { useEffect, useMemo, useState } from "react";
import { get } from "../lib/api";
import type { Translate } from "../lib/i18n";
import { useEditor } from "./context";
import ExpressionInput from "./ExpressionInput";

export interface ConnectorSummary {
  id: number;
  name: string;
  latest_version: number | null;
}

export interface OperationParameter {
  key: string;
  name: string;
  in: "path" | "query" | "header" | "body";
  required: boolean;
  type: string;
  description: string;
  enum?: unknown[];
  default?: unknown;
  format?: string;
}

export interface ConnectorOperation {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  tag: string;
  deprecated: boolean;
  parameters: OperationParameter[];
  authentication: string[];
  servers: string[];
}

export interface ConnectorDetail {
  id: number;
  name: string;
  servers: string[];
  operations: ConnectorOperation[];
}

/** The operations whose id, summary, path, method or tag contain every word of the search, grouped by tag in the
 * document's order. */
export function searchOperations(operations: ConnectorOperation[], query: string): [string, ConnectorOperation[]][] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const groups = new Map<string, ConnectorOperation[]>();
  for (const op of operations) {
    const text = `${op.id} ${op.summary} ${op.method} ${op.path} ${op.tag}`.toLowerCase();
    if (!words.every((w) => text.includes(w))) continue;
    const tag = op.tag || "";
    groups.set(tag, [...(groups.get(tag) || []), op]);
  }
  return [...groups.entries()];
}

/** A typed value for a parameter from what was typed: numbers and booleans as such unless an expression. */
export function typedValue(parameter: OperationParameter, raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  if (raw.includes("{{")) return raw;
  if ((parameter.type === "integer" || parameter.type === "number") && raw.trim() !== "" && !Number.isNaN(Number(raw))) return Number(raw);
  return raw;
}

/** The problems of the values against the operation: a required parameter left empty. */
export function missingRequired(operation: ConnectorOperation, values: Record<string, unknown>): string[] {
  return operation.parameters.filter((p) => p.required && (values[p.key] === undefined || values[p.key] === "" || values[p.key] === null)).map((p) => p.key);
}

interface Props {
  parameters: Record<string, unknown>;
  setParams(changes: Record<string, unknown>): void;
  disabled?: boolean;
  fields: string[];
  nodeId: string;
}

function whereLabel(t: Translate, where: OperationParameter["in"]): string {
  return { path: t("in the address"), query: t("in the query"), header: t("header"), body: t("body") }[where] || where;
}

function ParameterField({ parameter, value, onChange, disabled, fields, nodeId }: { parameter: OperationParameter; value: unknown; onChange(v: unknown): void; disabled?: boolean; fields: string[]; nodeId: string }) {
  const { t } = useEditor();
  const testid = `openapi-value-${parameter.key}`;
  const id = `f-${testid}`;
  let control;
  if (parameter.enum && parameter.enum.length) {
    control = (
      <select id={id} value={value === undefined || value === null ? "" : String(value)} disabled={disabled} onChange={(e) => onChange(e.target.value === "" ? undefined : parameter.enum!.find((v) => String(v) === e.target.value))} data-testid={testid}>
        <option value="">{parameter.required ? t("— choose —") : t("(not sent)")}</option>
        {parameter.enum.map((v) => (
          <option key={String(v)} value={String(v)}>
            {String(v)}
          </option>
        ))}
      </select>
    );
  } else if (parameter.type === "boolean") {
    const current = value === undefined ? "" : String(value);
    control = (
      <select id={id} value={current} disabled={disabled} onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value === "true")} data-testid={testid}>
        <option value="">{t("(not sent)")}</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  } else {
    control = <ExpressionInput id={id} value={value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value)} fields={fields} nodeId={nodeId} disabled={disabled} testid={testid} onChange={(v) => onChange(v === "" ? undefined : typedValue(parameter, v))} />;
  }
  const placeholderDefault = parameter.default !== undefined && parameter.default !== null ? `${t("Default")}: ${String(parameter.default)}` : "";
  return (
    <div className="ez-field" data-testid={`openapi-param-${parameter.key}`}>
      <label className="ez-field-label" htmlFor={id}>
        {parameter.name}
        {parameter.required && <span aria-label={t("required")}> *</span>} <span className="ez-hint">({whereLabel(t, parameter.in)}, {parameter.type}{parameter.format ? `, ${parameter.format}` : ""})</span>
      </label>
      {control}
      {(parameter.description || placeholderDefault) && <p className="ez-hint">{[parameter.description, placeholderDefault].filter(Boolean).join(" · ")}</p>}
    </div>
  );
}

export default function OpenApiCallForm({ parameters, setParams, disabled, fields, nodeId }: Props) {
  const { t } = useEditor();
  const [connectors, setConnectors] = useState<ConnectorSummary[] | null>(null);
  const [detail, setDetail] = useState<ConnectorDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState("");
  const connectorId = parameters.connector === undefined || parameters.connector === null ? "" : String(parameters.connector);
  const operationId = typeof parameters.operation === "string" ? parameters.operation : "";
  const values = (parameters.values && typeof parameters.values === "object" && !Array.isArray(parameters.values) ? parameters.values : {}) as Record<string, unknown>;

  useEffect(() => {
    get<ConnectorSummary[]>("/connectors/openapi")
      .then(setConnectors)
      .catch(() => setError(t("The API connectors could not be loaded.")));
  }, []); // once per form

  useEffect(() => {
    setDetail(null);
    if (!/^\d+$/.test(connectorId)) return;
    let live = true;
    get<ConnectorDetail>(`/connectors/openapi/${connectorId}`)
      .then((found) => live && setDetail(found))
      .catch(() => live && setError(t("This API connector no longer exists. Choose another one.")));
    return () => {
      live = false;
    };
  }, [connectorId]);

  const groups = useMemo(() => (detail ? searchOperations(detail.operations, search) : []), [detail, search]);
  const operation = detail ? detail.operations.find((op) => op.id === operationId) : undefined;
  const missing = operation ? missingRequired(operation, values) : [];

  const chooseOperation = (op: ConnectorOperation) => {
    // Values the new operation also has are kept; the others would be refused as unknown.
    const keys = new Set(op.parameters.map((p) => p.key));
    const kept = Object.fromEntries(Object.entries(values).filter(([key]) => keys.has(key)));
    const defaults = Object.fromEntries(op.parameters.filter((p) => p.required && p.default !== undefined && p.default !== null && kept[p.key] === undefined).map((p) => [p.key, p.default]));
    const changes: Record<string, unknown> = { operation: op.id, values: { ...defaults, ...kept } };
    if (parameters.server && !op.servers.includes(String(parameters.server))) changes.server = "";
    setParams(changes);
  };

  return (
    <div className="ez-openapi" data-testid="openapi-form">
      <div className="ez-field">
        <label className="ez-field-label" htmlFor="f-openapi-connector">
          {t("API connector")} <span aria-label={t("required")}>*</span>
        </label>
        <select id="f-openapi-connector" value={connectorId} disabled={disabled || connectors === null} onChange={(e) => setParams({ connector: e.target.value, operation: "", values: {}, server: "" })} data-testid="openapi-connector">
          <option value="">{connectors === null ? t("Loading…") : t("— choose —")}</option>
          {(connectors || []).map((c) => (
            <option key={c.id} value={String(c.id)}>
              {c.name}
            </option>
          ))}
        </select>
        {connectors !== null && connectors.length === 0 && (
          <p className="ez-hint" data-testid="openapi-no-connectors">
            {t("No API connector yet: import an OpenAPI or Swagger document first.")}{" "}
            <a className="ez-link" href="/connectors/api/" target="_blank" rel="noopener">
              {t("API connectors")} ↗
            </a>
          </p>
        )}
      </div>
      {error && (
        <p className="ez-field-error" role="alert" data-testid="openapi-error">
          {error}
        </p>
      )}
      {detail && (
        <div className="ez-field">
          <label className="ez-field-label" htmlFor="f-openapi-search">
            {t("Operation")} <span aria-label={t("required")}>*</span>
          </label>
          {operation && (
            <p className="ez-openapi-chosen" data-testid="openapi-operation">
              <code className="ez-mono">{operation.method.toUpperCase()}</code> <code className="ez-mono">{operation.path}</code> {operation.summary}
            </p>
          )}
          {!operation && operationId && (
            <p className="ez-field-error" role="alert" data-testid="openapi-operation-missing">
              {t("The connector has no operation “{id}” any more. Choose another one.").replace("{id}", operationId)}
            </p>
          )}
          <input id="f-openapi-search" type="search" value={search} placeholder={t("Search operations")} disabled={disabled} onChange={(e) => setSearch(e.target.value)} data-testid="openapi-operation-search" />
          <div className="ez-openapi-operations" role="listbox" aria-label={t("Operations")} data-testid="openapi-operations">
            {groups.length === 0 && <p className="ez-hint">{t("No operation matches.")}</p>}
            {groups.map(([tag, ops]) => (
              <div key={tag} role="group" aria-label={tag || t("Other")}>
                <div className="ez-openapi-tag">{tag || t("Other")}</div>
                {ops.map((op) => (
                  <button type="button" key={op.id} role="option" aria-selected={op.id === operationId} className={`ez-openapi-op${op.id === operationId ? " chosen" : ""}`} disabled={disabled} onClick={() => chooseOperation(op)} data-testid={`openapi-op-${op.id}`}>
                    <code className="ez-mono">{op.method.toUpperCase()}</code> {op.summary || op.id}
                    <span className="ez-hint"> {op.path}</span>
                    {op.deprecated && <span className="ez-hint"> ({t("deprecated")})</span>}
                  </button>
                ))}
              </div>
            ))}
          </div>
        </div>
      )}
      {operation && (
        <>
          {operation.servers.length > 1 && (
            <div className="ez-field">
              <label className="ez-field-label" htmlFor="f-openapi-server">
                {t("Server")}
              </label>
              <select id="f-openapi-server" value={typeof parameters.server === "string" ? parameters.server : ""} disabled={disabled} onChange={(e) => setParams({ server: e.target.value })} data-testid="openapi-server">
                <option value="">{t("The first one")}</option>
                {operation.servers.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </div>
          )}
          {operation.authentication.some((kind) => kind !== "none") && (
            <p className="ez-hint" data-testid="openapi-authentication">
              {t("Sign-in this operation accepts (choose it under Authentication):")} {operation.authentication.join(", ")}
            </p>
          )}
          <fieldset className="ez-openapi-values" data-testid="openapi-values">
            <legend>{t("Parameters")}</legend>
            {operation.parameters.length === 0 && <p className="ez-hint">{t("This operation takes no parameters.")}</p>}
            {operation.parameters.map((parameter) => (
              <ParameterField
                key={parameter.key}
                parameter={parameter}
                value={values[parameter.key]}
                disabled={disabled}
                fields={fields}
                nodeId={nodeId}
                onChange={(v) => {
                  const next = { ...values };
                  if (v === undefined) delete next[parameter.key];
                  else next[parameter.key] = v;
                  setParams({ values: next });
                }}
              />
            ))}
            {missing.length > 0 && (
              <p className="ez-field-error" data-testid="openapi-missing">
                {t("Required:")} {missing.join(", ")}
              </p>
            )}
          </fieldset>
        </>
      )}
    </div>
  );
}
