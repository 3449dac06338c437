// The field list of the larger expression editor, grouped the way a person looks for a field: what reaches this
// step, each earlier step by name, then variables and built-ins.

export interface FieldGroup {
  /** "input", "vars", "builtin", or the earlier step's name. */
  key: string;
  step?: string;
  fields: string[];
}

const STEP = /^nodes\["((?:[^"\\]|\\.)*)"\]/;

export function groupFields(fields: string[]): FieldGroup[] {
  const input: string[] = [];
  const vars: string[] = [];
  const builtin: string[] = [];
  const steps = new Map<string, string[]>();
  for (const field of fields) {
    const step = STEP.exec(field);
    if (field.startsWith("json")) input.push(field);
    else if (step) {
      const name = JSON.parse(`"${step[1]}"`) as string;
      steps.set(name, [...(steps.get(name) || []), field]);
    } else if (field.startsWith("vars.")) vars.push(field);
    else builtin.push(field);
  }
  const groups: FieldGroup[] = [];
  if (input.length) groups.push({ key: "input", fields: input });
  for (const [name, list] of steps) groups.push({ key: `step:${name}`, step: name, fields: list });
  if (vars.length) groups.push({ key: "vars", fields: vars });
  if (builtin.length) groups.push({ key: "builtin", fields: builtin });
  return groups;
}

/** How deep a path is, for indenting it in the list (json.customer.email is one level below json.customer). */
export function depthOf(field: string): number {
  if (!field.startsWith("json") && !STEP.test(field)) return 0; // variables and built-ins are flat
  const rest = field.replace(STEP, "").replace(/^\.?json/, "");
  return (rest.match(/\.|\[/g) || []).length;
}
