// UI strings: the English text is the key; Korean comes from KO. Labels from the server come as {en, ko}.
import KO from "./ko";
import type { Label } from "../types/catalog";

export type Translate = (key: string) => string;
export type LabelOf = (label: Label | string | null | undefined) => string;

const EN: Record<string, string> = {
  "category:trigger": "Triggers",
  "category:action": "Actions",
  "category:data": "Data",
  "category:flow": "Flow control",
  "category:transform": "Transform",
  "category:documents": "Documents",
  "category:note": "Notes",
  "op:equals": "is equal to",
  "op:not_equals": "is not equal to",
  "op:gt": "is greater than",
  "op:gte": "is at least",
  "op:lt": "is less than",
  "op:lte": "is at most",
  "op:contains": "contains",
  "op:not_contains": "does not contain",
  "op:starts_with": "starts with",
  "op:ends_with": "ends with",
  "op:is_empty": "is empty",
  "op:is_not_empty": "is not empty",
  "op:is_true": "is true",
  "op:is_false": "is false",
  "status:running": "Running",
  "status:success": "Succeeded",
  "status:error": "Failed",
  "status:skipped": "Skipped",
  "status:waiting": "Waiting",
  "run:queued": "queued",
  "run:running": "running",
  "run:waiting": "waiting",
  "run:success": "succeeded",
  "run:failed": "failed",
  "run:cancelled": "cancelled",
  "execution:queued": "Queued",
  "execution:running": "Running",
  "execution:waiting": "Waiting",
  "execution:success": "Succeeded",
  "execution:failed": "Failed",
  "execution:cancelled": "Cancelled",
  "on_error:stop": "Stop the flow",
  "on_error:continue": "Continue with an error field",
  "on_error:error_output": "Send items to an “error” output",
  "port:true": "true",
  "port:false": "false",
  "port:loop": "loop",
  "port:done": "done",
  "port:error": "error",
  "port:fallback": "other",
  "port:discarded": "discarded",
  "kind:text": "text",
  "kind:number": "number",
  "kind:boolean": "yes/no",
  "kind:object": "group",
  "kind:list": "list",
  "kind:empty": "empty",
};

export function translator(language: string | null | undefined): { t: Translate; labelOf: LabelOf } {
  const korean = (language || "").startsWith("ko");
  const t: Translate = (key) => (korean && KO[key]) || EN[key] || key;
  const labelOf: LabelOf = (label) => {
    if (!label) return "";
    if (typeof label === "string") return label;
    return (korean ? label.ko : label.en) || label.en || label.ko || "";
  };
  return { t, labelOf };
}

export const KEYS_WITH_ENGLISH = EN;
