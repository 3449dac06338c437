// Choosers for the "Run an AI module" step (params with picker "ai_module" / "ai_module_version"): the organization's
// modules from GET /api/v1/ai/modules/choices (name, versions, the item fields each reads) instead of typed ids.
// The stored values stay what a person could type (the module's name, a version number or empty for the active one).
import { useEffect, useState } from "react";
import { get } from "../lib/api";
import { useEditor } from "./context";

export interface ModuleVersionChoice {
  number: number;
  input: string;
  inputs: string[];
  labels: string[];
  note: string;
}

export interface ModuleChoice {
  id: number;
  name: string;
  kind: string;
  summary: string;
  active_version: number | null;
  versions: ModuleVersionChoice[];
}

let cached: Promise<ModuleChoice[]> | null = null;

/** One request per page; a failed one is asked again next time. */
export function loadModuleChoices(): Promise<ModuleChoice[]> {
  if (!cached) {
    cached = get<ModuleChoice[]>("/ai/modules/choices").catch((error) => {
      cached = null;
      throw error;
    });
  }
  return cached;
}

export function forgetModuleChoices(): void {
  cached = null;
}

/** The module a stored value names: its name, or its number as the step also accepts. */
export function findModule(choices: ModuleChoice[], value: unknown): ModuleChoice | undefined {
  const text = String(value ?? "").trim();
  if (!text) return undefined;
  return choices.find((m) => m.name === text) || (/^\d+$/.test(text) ? choices.find((m) => String(m.id) === text) : undefined);
}

function useChoices(): { choices: ModuleChoice[] | null; failed: boolean } {
  const [choices, setChoices] = useState<ModuleChoice[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    loadModuleChoices()
      .then((list) => live && setChoices(list))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, []);
  return { choices, failed };
}

interface PickerProps {
  id: string;
  value: unknown;
  onChange: (value: unknown) => void;
  disabled?: boolean;
  testid: string;
  siblings?: Record<string, unknown>;
}

export function AiModulePicker({ id, value, onChange, disabled, testid }: PickerProps) {
  const { t } = useEditor();
  const { choices, failed } = useChoices();
  const current = String(value ?? "");
  if (failed || (choices && choices.length === 0 && !current)) {
    return (
      <div>
        <input id={id} value={current} disabled={disabled} data-testid={testid} onChange={(event) => onChange(event.target.value)} />
        <div className="ez-hint" data-testid={`${testid}-empty`}>
          {failed ? t("The AI modules could not be loaded; type the module's name.") : t("No AI modules yet: upload one on the AI modules page.")}
        </div>
      </div>
    );
  }
  const chosen = choices ? findModule(choices, current) : undefined;
  const active = chosen && chosen.versions.find((v) => v.number === chosen.active_version);
  return (
    <div>
      <select id={id} value={chosen ? chosen.name : current} disabled={disabled || !choices} data-testid={testid} onChange={(event) => onChange(event.target.value)}>
        <option value="">{choices ? t("Choose a module") : t("Loading…")}</option>
        {current && !chosen && choices && <option value={current}>{`${current} (${t("not found")})`}</option>}
        {(choices || []).map((m) => (
          <option key={m.id} value={m.name}>
            {m.active_version ? `${m.name} · v${m.active_version}` : m.name}
          </option>
        ))}
      </select>
      {chosen && (
        <div className="ez-hint" data-testid={`${testid}-inputs`}>
          {active && active.inputs.length > 0 ? `${t("Reads the fields:")} ${active.inputs.join(", ")}` : chosen.summary}
        </div>
      )}
    </div>
  );
}

export function AiModuleVersionPicker({ id, value, onChange, disabled, testid, siblings }: PickerProps) {
  const { t } = useEditor();
  const { choices } = useChoices();
  const module = choices ? findModule(choices, siblings ? siblings.module : undefined) : undefined;
  const current = value === null || value === undefined || value === "" ? "" : String(value);
  const versions = module ? module.versions : [];
  const known = versions.some((v) => String(v.number) === current);
  return (
    <select
      id={id}
      value={current}
      disabled={disabled || !module}
      data-testid={testid}
      onChange={(event) => onChange(event.target.value === "" ? null : Number(event.target.value))}
    >
      <option value="">{module && module.active_version ? `${t("The version in use")} (v${module.active_version})` : t("The version in use")}</option>
      {current && !known && <option value={current}>{`v${current} (${t("not found")})`}</option>}
      {versions.map((v) => (
        <option key={v.number} value={String(v.number)}>
          {`v${v.number}${v.inputs.length ? ` · ${v.inputs.join(", ")}` : ""}${v.note ? ` — ${v.note}` : ""}`}
        </option>
      ))}
    </select>
  );
}

export const PICKERS: Record<string, (props: PickerProps) => JSX.Element> = {
  ai_module: AiModulePicker,
  ai_module_version: AiModuleVersionPicker,
};
