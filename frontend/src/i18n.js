// UI strings: the English text is the key; Korean comes from KO. Labels from the server come as {en, ko}.
import KO from "./ko.js";

const EN = {
  "category:trigger": "Triggers",
  "category:action": "Actions",
  "category:data": "Data",
  "category:flow": "Flow control",
  "category:transform": "Transform",
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
};

export function translator(language) {
  const korean = (language || "").startsWith("ko");
  const t = (key) => (korean && KO[key]) || EN[key] || key;
  const labelOf = (label) => {
    if (!label) return "";
    if (typeof label === "string") return label;
    return (korean ? label.ko : label.en) || label.en || label.ko || "";
  };
  return { t, labelOf };
}

export const KEYS_WITH_ENGLISH = EN;
