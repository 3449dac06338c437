import { useEffect, useRef, useState } from "react";
import { useEditor } from "./context.js";

// Text input that understands {{ expressions }}: autocomplete of fields from earlier nodes' last test output and a
// live preview of the value for the first item, with errors shown inline.
export default function ExpressionInput({ id, value, onChange, multiline, fields, nodeId, disabled, testid, allowExpressions = true }) {
  const { t, preview } = useEditor();
  const ref = useRef(null);
  const [open, setOpen] = useState(false);
  const [partial, setPartial] = useState(null);
  const [active, setActive] = useState(0);
  const [result, setResult] = useState(null);
  const text = value == null ? "" : String(value);

  const suggestions = (fields || []).filter((f) => partial === null || f.toLowerCase().includes(partial.toLowerCase())).slice(0, 30);

  useEffect(() => {
    if (!allowExpressions || !text.includes("{{")) {
      setResult(null);
      return undefined;
    }
    const timer = setTimeout(async () => setResult(await preview(nodeId, text)), 350);
    return () => clearTimeout(timer);
  }, [text, nodeId, allowExpressions, preview]);

  function detectPartial(nextText, cursor) {
    const before = nextText.slice(0, cursor);
    const openAt = before.lastIndexOf("{{");
    if (openAt >= 0 && openAt > before.lastIndexOf("}}")) {
      setPartial(before.slice(openAt + 2).trim());
      setOpen(true);
      setActive(0);
    } else {
      setPartial(null);
      setOpen(false);
    }
  }

  function insert(field) {
    const element = ref.current;
    const cursor = element ? element.selectionStart : text.length;
    let next;
    let caret;
    const before = text.slice(0, cursor);
    const openAt = before.lastIndexOf("{{");
    if (partial !== null && openAt >= 0) {
      const after = text.slice(cursor);
      const closes = after.trimStart().startsWith("}}");
      const piece = ` ${field} ${closes ? "" : "}}"}`;
      next = text.slice(0, openAt + 2) + piece + (closes ? after.trimStart() : after);
      caret = openAt + 2 + piece.length + (closes ? 2 : 0);
    } else {
      const piece = `{{ ${field} }}`;
      next = before + piece + text.slice(cursor);
      caret = cursor + piece.length;
    }
    onChange(next);
    setOpen(false);
    setPartial(null);
    requestAnimationFrame(() => {
      if (element) {
        element.focus();
        element.setSelectionRange(caret, caret);
      }
    });
  }

  const props = {
    id,
    ref,
    value: text,
    disabled,
    "data-testid": testid,
    "aria-autocomplete": allowExpressions ? "list" : undefined,
    onChange: (event) => {
      onChange(event.target.value);
      if (allowExpressions) detectPartial(event.target.value, event.target.selectionStart);
    },
    onKeyDown: (event) => {
      if (!open || !suggestions.length) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        setActive((active + 1) % suggestions.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        setActive((active - 1 + suggestions.length) % suggestions.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        insert(suggestions[active]);
      } else if (event.key === "Escape") {
        setOpen(false);
      }
    },
    onBlur: () => setTimeout(() => setOpen(false), 150),
  };

  return (
    <div className="ez-expr">
      <div className="ez-expr-row">
        {multiline ? <textarea rows={3} {...props} /> : <input type="text" {...props} />}
        {allowExpressions && !disabled && fields && fields.length > 0 && (
          <button
            type="button"
            className="ez-expr-button"
            title={t("Insert a field from an earlier step")}
            aria-label={t("Insert a field from an earlier step")}
            onClick={() => {
              setPartial(null);
              setOpen(!open);
            }}
            data-testid={testid ? `${testid}-fields` : undefined}
          >
            {"{ }"}
          </button>
        )}
      </div>
      {open && suggestions.length > 0 && (
        <ul className="ez-expr-suggestions" role="listbox" data-testid="expression-suggestions">
          {suggestions.map((field, index) => (
            <li
              key={field}
              role="option"
              aria-selected={index === active}
              className={index === active ? "active" : ""}
              onMouseDown={(event) => {
                event.preventDefault();
                insert(field);
              }}
            >
              {field}
            </li>
          ))}
        </ul>
      )}
      {result && (
        <div className={`ez-expr-preview${result.error ? " error" : result.note ? " note" : ""}`} data-testid={testid ? `${testid}-preview` : "expression-preview"} role="status">
          {result.error ? `⚠ ${result.error}` : result.note ? result.note : `${t("First item:")} ${result.text}`}
        </div>
      )}
    </div>
  );
}
