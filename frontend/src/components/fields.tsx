import { lazy, Suspense, useEffect, useRef, useState, type ReactNode } from "react";
import { useEditor } from "./context";
import ExpressionInput from "./ExpressionInput";
import { post } from "../lib/api";
import { ConnectionDialog, ServiceIcon, fieldsMessage, startSignIn } from "./ConnectionDialog";
import type { ParamSpec } from "../types/catalog";
import { visibleParams } from "../lib/paramVisibility";
import { PICKERS } from "./ModulePicker";

const CodeEditor = lazy(() => import("./CodeEditor"));

type OnChange = (value: unknown) => void;

interface ControlProps {
  onChange: OnChange;
  disabled?: boolean;
  testid: string;
  fields?: string[];
  nodeId: string;
}

interface Condition {
  left?: unknown;
  operator?: string;
  right?: unknown;
}

// What a plain input or select shows for a stored value (React would turn anything else into text the same way).
const shown = (v: unknown): string | number => (typeof v === "number" || typeof v === "string" ? v : v == null ? "" : String(v));

const isRecord = (value: unknown): value is Record<string, unknown> => !!value && typeof value === "object" && !Array.isArray(value);

const OPERATORS = ["equals", "not_equals", "gt", "gte", "lt", "lte", "contains", "not_contains", "starts_with", "ends_with", "is_empty", "is_not_empty", "is_true", "is_false"];

// JSON typed but not valid yet, per step and field: it is not saved, but it is still there when the person comes back
// to the step (until the page is reloaded), with its message.
const unfinishedJson = new Map<string, string>();

function JsonField({ id, value, onChange, disabled, testid, allowExpressions, nodeId }: Omit<ControlProps, "fields"> & { id: string; value: unknown; allowExpressions: boolean }) {
  const { t } = useEditor();
  const key = `${nodeId}:${testid}`;
  const invalidText = t("This is not valid JSON. Check quotes, commas and brackets.");
  const show = (v: unknown): string => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v, null, 2));
  const [text, setText] = useState<string>(unfinishedJson.get(key) ?? show(value));
  const [error, setError] = useState<string | null>(unfinishedJson.has(key) ? invalidText : null);
  const shown = useRef(JSON.stringify(value));
  useEffect(() => {
    if (shown.current === JSON.stringify(value)) return; // only when the value changed (undo, another tab)
    shown.current = JSON.stringify(value);
    unfinishedJson.delete(key);
    setText(show(value));
    setError(null);
  }, [JSON.stringify(value)]);
  return (
    <div>
      <textarea
        id={id}
        rows={5}
        className="ez-mono"
        value={text}
        disabled={disabled}
        data-testid={testid}
        onChange={(event) => setText(event.target.value)}
        onBlur={() => {
          const raw = text.trim();
          unfinishedJson.delete(key);
          if (!raw) {
            setError(null);
            onChange(null);
            return;
          }
          try {
            onChange(JSON.parse(raw));
            setError(null);
          } catch {
            if (allowExpressions && raw.includes("{{")) {
              onChange(raw);
              setError(null);
            } else {
              unfinishedJson.set(key, text);
              setError(invalidText);
            }
          }
        }}
      />
      {error && (
        <div className="ez-field-error" role="alert" data-testid={`${testid}-invalid`}>
          {error}
        </div>
      )}
    </div>
  );
}

function KeyValueField({ value, onChange, disabled, fields, nodeId, testid }: ControlProps & { value: unknown }) {
  const { t } = useEditor();
  const rows = Object.entries(isRecord(value) ? value : {});
  // Rows not in the saved object yet: a new row without a name, or one whose name another row already uses. They stay on
  // screen (nothing typed is dropped) until they get a name of their own.
  const [pending, setPending] = useState<[string, unknown][]>([]);
  const all = [...rows, ...pending];
  const commit = (next: [string, unknown][]) => {
    const object: Record<string, unknown> = {};
    const leftovers: [string, unknown][] = [];
    for (const [k, v] of next) {
      if (k && !Object.prototype.hasOwnProperty.call(object, k)) object[k] = v;
      else leftovers.push([k, v]);
    }
    setPending(leftovers);
    onChange(object);
  };
  const names = all.map(([k]) => k);
  return (
    <div className="ez-kv" data-testid={testid}>
      {all.map(([k, v], index) => {
        const duplicate = k && names.indexOf(k) !== index;
        return (
          <div key={index}>
            <div className="ez-kv-row">
              <input
                type="text"
                placeholder={t("Name")}
                aria-label={t("Name")}
                aria-invalid={duplicate ? "true" : undefined}
                value={k}
                disabled={disabled}
                data-testid={`${testid}-${index}-name`}
                onChange={(event) => commit(all.map((row, i): [string, unknown] => (i === index ? [event.target.value, row[1]] : row)))}
              />
              <ExpressionInput
                value={v}
                fields={fields}
                nodeId={nodeId}
                disabled={disabled}
                testid={`${testid}-${index}-value`}
                onChange={(next) => commit(all.map((row, i): [string, unknown] => (i === index ? [row[0], next] : row)))}
              />
              {!disabled && (
                <button type="button" className="ez-icon-button" aria-label={t("Remove")} onClick={() => commit(all.filter((_, i) => i !== index))}>
                  ✕
                </button>
              )}
            </div>
            {duplicate && (
              <div className="ez-field-error" role="alert" data-testid={`${testid}-${index}-duplicate`}>
                {t("Another row already uses this name. Give this row its own name; until then it is not saved.")}
              </div>
            )}
          </div>
        );
      })}
      {!disabled && (
        <button type="button" className="ez-link" data-testid={`${testid}-add`} onClick={() => setPending([...pending, ["", ""]])}>
          + {t("Add a row")}
        </button>
      )}
    </div>
  );
}

function ConditionsField({ value, onChange, disabled, fields, nodeId, testid }: ControlProps & { value: unknown }) {
  const { t } = useEditor();
  const list: Condition[] = Array.isArray(value) ? value : [];
  const update = (index: number, key: keyof Condition, v: unknown) => onChange(list.map((c, i) => (i === index ? { ...c, [key]: v } : c)));
  return (
    <div className="ez-conditions" data-testid={testid}>
      {list.map((condition, index) => (
        <div className="ez-condition" key={index}>
          <ExpressionInput
            value={condition.left}
            fields={fields}
            nodeId={nodeId}
            disabled={disabled}
            testid={`${testid}-${index}-left`}
            onChange={(v) => update(index, "left", v)}
          />
          <select
            value={condition.operator || "equals"}
            disabled={disabled}
            aria-label={t("Comparison")}
            data-testid={`${testid}-${index}-operator`}
            onChange={(event) => update(index, "operator", event.target.value)}
          >
            {OPERATORS.map((op) => (
              <option key={op} value={op}>
                {t(`op:${op}`)}
              </option>
            ))}
          </select>
          {!["is_empty", "is_not_empty", "is_true", "is_false"].includes(condition.operator || "") && (
            <ExpressionInput
              value={condition.right}
              fields={fields}
              nodeId={nodeId}
              disabled={disabled}
              testid={`${testid}-${index}-right`}
              onChange={(v) => update(index, "right", v)}
            />
          )}
          {!disabled && (
            <button type="button" className="ez-icon-button" aria-label={t("Remove")} onClick={() => onChange(list.filter((_, i) => i !== index))}>
              ✕
            </button>
          )}
        </div>
      ))}
      {!disabled && (
        <button
          type="button"
          className="ez-link"
          data-testid={`${testid}-add`}
          onClick={() => onChange([...list, { left: "", operator: "equals", right: "" }])}
        >
          + {t("Add a condition")}
        </button>
      )}
    </div>
  );
}

function SimpleList({ list, onChange, disabled, testid }: { list: unknown[]; onChange: OnChange; disabled?: boolean; testid: string }) {
  const { t } = useEditor();
  const [text, setText] = useState(list.join(", "));
  return (
    <div>
      <input
        type="text"
        value={text}
        disabled={disabled}
        data-testid={testid}
        onChange={(event) => setText(event.target.value)}
        onBlur={() => onChange(text.split(",").map((x) => x.trim()).filter(Boolean))}
      />
      <div className="ez-hint">{t("Separate values with commas.")}</div>
    </div>
  );
}

function ListField({ param, value, onChange, disabled, fields, nodeId, testid, credentialType }: ControlProps & { param: ParamSpec; value: unknown; credentialType?: string }) {
  const { t } = useEditor();
  const list: Record<string, unknown>[] = Array.isArray(value) ? value : [];
  if (!param.item_fields || !param.item_fields.length) {
    return <SimpleList list={list} onChange={onChange} disabled={disabled} testid={testid} />;
  }
  const blank = () => Object.fromEntries((param.item_fields || []).map((f) => [f.name, f.default ?? ""]));
  return (
    <div className="ez-list" data-testid={testid}>
      {list.map((entry, index) => (
        <fieldset className="ez-list-entry" key={index}>
          {visibleParams(param.item_fields || [], entry).map((sub) => (
            <Field
              key={sub.name}
              param={sub}
              value={entry ? entry[sub.name] : undefined}
              onChange={(v) => onChange(list.map((e, i) => (i === index ? { ...e, [sub.name]: v } : e)))}
              disabled={disabled}
              fields={fields}
              nodeId={nodeId}
              testid={`${testid}-${index}-${sub.name}`}
              credentialType={credentialType}
            />
          ))}
          {!disabled && (
            <button type="button" className="ez-link danger" onClick={() => onChange(list.filter((_, i) => i !== index))}>
              {t("Remove")}
            </button>
          )}
        </fieldset>
      ))}
      {!disabled && (
        <button type="button" className="ez-link" data-testid={`${testid}-add`} onClick={() => onChange([...list, blank()])}>
          + {t("Add")}
        </button>
      )}
    </div>
  );
}

function CredentialField({ value, onChange, disabled, credentialType, testid, nodeId, paramName }: { value: unknown; onChange: OnChange; disabled?: boolean; credentialType?: string; testid: string; nodeId?: string; paramName?: string }) {
  const { t, credentials, credentialTypes, createCredential, canManageCredentials, oauth2RedirectUri, saveNow } = useEditor();
  const [creating, setCreating] = useState(false);
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const type = credentialTypes.find((c) => c.key === credentialType);
  const options = credentials.filter((c) => !credentialType || c.type === credentialType);
  if (!credentialType) return <p className="ez-hint">{t("Choose an authentication method first.")}</p>;
  const chosen = options.find((c) => String(c.id) === String(value));
  // Back to this step after the provider's consent screen, with this connection chosen on it.
  const returnTo = (id: number) =>
    `${window.location.pathname}?${new URLSearchParams({ node: nodeId || "", param: paramName || "credential", credential: String(id) }).toString()}`;
  const test = async (id: number) => {
    setTesting(true);
    setResult(null);
    try {
      setResult(await post<{ ok: boolean; message: string }>(`/credentials/${id}/test`, {}));
    } catch (exc) {
      setResult({ ok: false, message: fieldsMessage(exc, t) });
    } finally {
      setTesting(false);
    }
  };
  return (
    <div className="ez-credential">
      <div className="ez-kv-row">
        <ServiceIcon kind={type} />
        <select
          value={typeof value === "number" || typeof value === "string" ? value : ""}
          disabled={disabled}
          onChange={(event) => {
            setResult(null);
            onChange(event.target.value ? Number(event.target.value) : "");
          }}
          data-testid={testid}
        >
          <option value="">{t("— choose —")}</option>
          {options.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        {!disabled && canManageCredentials && (
          <button type="button" className="ez-link" onClick={() => setCreating(true)} data-testid={`${testid}-new`}>
            + {t("Create new")}
          </button>
        )}
      </div>
      {chosen && chosen.status === "needs_reconnect" && (
        <p className="ez-field-error" role="alert" data-testid={`${testid}-status`}>
          {chosen.status_message || t("This connection must be reconnected.")}
        </p>
      )}
      {chosen && chosen.status === "not_connected" && type && type.oauth2 && (
        <p className="ez-hint" data-testid={`${testid}-status`}>
          {chosen.status_message || t("Not connected yet.")}
        </p>
      )}
      {chosen && !disabled && canManageCredentials && (
        <div className="ez-credential-actions">
          {type && type.can_test && !type.test_needs_url && (
            <button type="button" className="ez-button" disabled={testing} onClick={() => void test(chosen.id)} data-testid={`${testid}-test`}>
              {testing ? t("Testing…") : t("Test connection")}
            </button>
          )}
          {type && type.oauth2 && (
            <button
              type="button"
              className="ez-button"
              onClick={() =>
                void saveNow()
                  .then(() => startSignIn(chosen.id, returnTo(chosen.id)))
                  .catch((exc) => setResult({ ok: false, message: fieldsMessage(exc, t) }))
              }
              data-testid={`${testid}-reconnect`}
            >
              {chosen.status === "not_connected" ? t("Connect") : t("Reconnect")}
            </button>
          )}
        </div>
      )}
      {result && (
        <p className={result.ok ? "ez-hint ez-ok" : "ez-field-error"} role="status" data-testid={`${testid}-test-result`}>
          {result.ok ? "✓ " : ""}
          {result.message}
        </p>
      )}
      {type && type.help && (
        <details className="ez-hint" data-testid={`${testid}-help`}>
          <summary>{t("Where to find the values")}</summary>
          {type.help}
        </details>
      )}
      <a className="ez-hint ez-link" href="/connections/" target="_blank" rel="noopener" data-testid={`${testid}-connections`}>
        {t("Manage connections")} ↗
      </a>
      {!disabled && !canManageCredentials && (
        <p className="ez-hint" data-testid={`${testid}-admins-only`}>
          {options.length
            ? t("Only administrators can add credentials; ask one if the one you need is missing.")
            : t("No credential of this kind yet. Only administrators can add credentials; ask one to add it.")}
        </p>
      )}
      {creating && type && (
        <ConnectionDialog
          t={t}
          kinds={credentialTypes}
          kind={type.key}
          redirectUri={oauth2RedirectUri}
          returnTo=""
          create={createCredential}
          onCreated={(created) => {
            onChange(created.id);
            setCreating(false);
          }}
          onClose={() => setCreating(false)}
          returnToFor={returnTo}
          beforeSignIn={saveNow}
        />
      )}
    </div>
  );
}

interface FieldProps extends ControlProps {
  param: ParamSpec;
  value: unknown;
  error?: string | null;
  credentialType?: string;
  /** The step's other parameter values (a picker may depend on one, like a module's versions on the module). */
  siblings?: Record<string, unknown>;
}

export function Field({ param, value, onChange, disabled, fields, nodeId, testid, error, credentialType, siblings }: FieldProps) {
  const { labelOf, t } = useEditor();
  const id = `f-${testid}`;
  const current = value === undefined ? param.default : value;
  const exprs = param.expressions !== false;
  let control: ReactNode;
  const Picker = param.picker ? PICKERS[param.picker] : undefined;
  switch (Picker ? "picker" : param.type) {
    case "picker":
      control = Picker ? <Picker id={id} value={current} onChange={onChange} disabled={disabled} testid={testid} siblings={siblings} /> : null;
      break;
    case "boolean":
      control = (
        <label className="ez-toggle">
          <input id={id} type="checkbox" checked={!!current} disabled={disabled} onChange={(event) => onChange(event.target.checked)} data-testid={testid} />
          <span>{current ? t("On") : t("Off")}</span>
        </label>
      );
      break;
    case "select":
      control = (
        <select id={id} value={shown(current)} disabled={disabled} onChange={(event) => onChange(event.target.value)} data-testid={testid}>
          {(param.options || []).map((o) => (
            <option key={o.value} value={o.value}>
              {labelOf(o.label)}
            </option>
          ))}
        </select>
      );
      break;
    case "number":
    case "integer":
      control = exprs ? (
        <ExpressionInput
          id={id}
          value={current}
          fields={fields}
          nodeId={nodeId}
          disabled={disabled}
          testid={testid}
          onChange={(v) => onChange(v !== "" && !Number.isNaN(Number(v)) && !String(v).includes("{{") ? Number(v) : v)}
        />
      ) : (
        <input
          id={id}
          type="number"
          value={shown(current)}
          min={param.minimum}
          max={param.maximum}
          disabled={disabled}
          data-testid={testid}
          onChange={(event) => onChange(event.target.value === "" ? null : Number(event.target.value))}
        />
      );
      break;
    case "json":
      control = <JsonField id={id} value={current} onChange={onChange} disabled={disabled} testid={testid} allowExpressions={exprs} nodeId={nodeId} />;
      break;
    case "keyvalue":
      control = <KeyValueField value={current} onChange={onChange} disabled={disabled} fields={fields} nodeId={nodeId} testid={testid} />;
      break;
    case "conditions":
      control = <ConditionsField value={current} onChange={onChange} disabled={disabled} fields={fields} nodeId={nodeId} testid={testid} />;
      break;
    case "list":
      control = (
        <ListField param={param} value={current} onChange={onChange} disabled={disabled} fields={fields} nodeId={nodeId} testid={testid} credentialType={credentialType} />
      );
      break;
    case "code":
      control = (
        <Suspense fallback={<textarea className="ez-mono" rows={8} value={typeof current === "string" ? current : ""} readOnly />}>
          <CodeEditor value={typeof current === "string" ? current : ""} onChange={onChange} disabled={disabled} testid={testid} language={param.language} />
        </Suspense>
      );
      break;
    case "credential":
      control = (
        <CredentialField
          value={current}
          onChange={onChange}
          disabled={disabled}
          credentialType={param.credential_type || credentialType}
          testid={testid}
          nodeId={nodeId}
          paramName={param.name}
        />
      );
      break;
    default:
      control = (
        <ExpressionInput
          id={id}
          value={current}
          multiline={param.type === "text"}
          fields={fields}
          nodeId={nodeId}
          disabled={disabled}
          testid={testid}
          allowExpressions={exprs}
          onChange={onChange}
        />
      );
  }
  return (
    <div className={`ez-field${error ? " invalid" : ""}`} data-field={param.name}>
      <label htmlFor={id} className="ez-field-label">
        {labelOf(param.label)}
        {param.required && <span className="ez-required" aria-label={t("required")}> *</span>}
      </label>
      {control}
      {param.help && (param.help.en || param.help.ko) && <div className="ez-hint">{labelOf(param.help)}</div>}
      {error && (
        <div className="ez-field-error" role="alert" data-testid={`${testid}-error`}>
          {error}
        </div>
      )}
    </div>
  );
}
