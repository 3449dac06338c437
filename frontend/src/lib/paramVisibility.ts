// Which parameters of a step apply, from the `show_if` each one declares in the node catalogue: a field shows only
// when every sibling it names has one of the listed values (the sibling's default when it is unset). Hidden values
// are kept, so switching back shows what was typed.
import type { ParamSpec } from "../types/catalog";

export function isShown(param: ParamSpec, siblings: ParamSpec[], values: Record<string, unknown> | null | undefined): boolean {
  const conditions = param.show_if;
  if (!conditions) return true;
  return Object.entries(conditions).every(([name, allowed]) => {
    const sibling = siblings.find((p) => p.name === name);
    const stored = values ? values[name] : undefined;
    const current = stored === undefined || stored === null || stored === "" ? (sibling ? sibling.default : undefined) : stored;
    return allowed.some((v) => v === current);
  });
}

export function visibleParams(params: ParamSpec[], values: Record<string, unknown> | null | undefined): ParamSpec[] {
  return params.filter((p) => isShown(p, params, values));
}
