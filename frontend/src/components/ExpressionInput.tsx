import { useEffect, useRef, useState, type ChangeEvent, type DragEvent, type KeyboardEvent, type RefObject } from "react";
import { Maximize2 } from "lucide-react";
import { useEditor } from "./context";
import ExpressionDialog from "./ExpressionDialog";
import { insertField, partialAt, suggestionsFor } from "../lib/expressions";
import { dropField, FIELD_DRAG_TYPE, offsetAtX } from "../lib/dataFields";
import type { PreviewResult } from "../hooks/useExpressions";

interface Props {
  id?: string;
  value: unknown;
  onChange: (value: string) => void;
  multiline?: boolean;
  fields?: string[];
  nodeId: string;
  disabled?: boolean;
  testid?: string;
  allowExpressions?: boolean;
  /** Rows of the text area (multiline only). */
  rows?: number;
  /** The input element, for a parent that puts text at its caret (the larger editor's field list). */
  inputRef?: RefObject<HTMLInputElement & HTMLTextAreaElement>;
  /** Offer the larger expression editor (not inside it). */
  expandable?: boolean;
  /** The "{ }" button that opens the field list under the input (the larger editor has its own list). */
  listButton?: boolean;
}

// Text input that understands {{ expressions }}: autocomplete of fields from earlier nodes' last test output and a
// live preview of the value for the first item, with errors shown inline.
export default function ExpressionInput({ id, value, onChange, multiline, fields, nodeId, disabled, testid, allowExpressions = true, rows = 3, inputRef, expandable = true, listButton = true }: Props) {
  const { t, preview } = useEditor();
  const own = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const ref = inputRef || own;
  const [big, setBig] = useState(false);
  const [open, setOpen] = useState(false);
  const [partial, setPartial] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const [result, setResult] = useState<PreviewResult | null>(null);
  const [dropping, setDropping] = useState(false);
  const text = value == null ? "" : String(value);

  const suggestions = suggestionsFor(fields || [], partial);

  useEffect(() => {
    if (!allowExpressions || !text.includes("{{")) {
      setResult(null);
      return undefined;
    }
    const timer = setTimeout(async () => setResult(await preview(nodeId, text)), 350);
    return () => clearTimeout(timer);
  }, [text, nodeId, allowExpressions, preview]);

  function detectPartial(nextText: string, cursor: number) {
    const found = partialAt(nextText, cursor);
    setPartial(found);
    setOpen(found !== null);
    if (found !== null) setActive(0);
  }

  // The caret moved inside an expression: offer the fields for the path there. Moved out of one: hide the list it
  // opened (a list opened with the button stays).
  function caretMoved(element: HTMLInputElement | HTMLTextAreaElement) {
    if (!allowExpressions) return;
    const found = partialAt(element.value, element.selectionStart ?? element.value.length);
    if (found !== null) detectPartial(element.value, element.selectionStart ?? element.value.length);
    else if (partial !== null) {
      setPartial(null);
      setOpen(false);
    }
  }

  function insert(field: string) {
    const element = ref.current;
    const cursor = element && element.selectionStart !== null ? element.selectionStart : text.length;
    const next = insertField(text, cursor, partial, field);
    onChange(next.text);
    setOpen(false);
    setPartial(null);
    requestAnimationFrame(() => {
      if (element) {
        element.focus();
        element.setSelectionRange(next.caret, next.caret);
      }
    });
  }

  // Where a field dropped at the pointer goes: in a one-line input the character under the pointer (measured with
  // the input's font), in a text area the caret when it has the focus, else the end.
  function dropOffset(element: HTMLInputElement | HTMLTextAreaElement, clientX: number): number {
    if (element instanceof HTMLTextAreaElement) return document.activeElement === element && element.selectionStart !== null ? element.selectionStart : text.length;
    const style = getComputedStyle(element);
    const context = document.createElement("canvas").getContext("2d");
    if (!context) return element.selectionStart ?? text.length;
    context.font = style.font || `${style.fontSize} ${style.fontFamily}`;
    const left = element.getBoundingClientRect().left + parseFloat(style.paddingLeft || "0") + parseFloat(style.borderLeftWidth || "0");
    return offsetAtX(text, clientX - left + element.scrollLeft, (piece) => context.measureText(piece).width);
  }

  const accepts = (event: DragEvent) => allowExpressions && !disabled && Array.from(event.dataTransfer.types).includes(FIELD_DRAG_TYPE);

  const props = {
    id,
    ref,
    value: text,
    disabled,
    "data-testid": testid,
    "aria-autocomplete": allowExpressions ? ("list" as const) : undefined,
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      onChange(event.target.value);
      if (allowExpressions) detectPartial(event.target.value, event.target.selectionStart ?? event.target.value.length);
    },
    onKeyDown: (event: KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>) => {
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
        event.preventDefault(); // closes the list only, not the dialog around it
        setOpen(false);
      }
    },
    // Moving the caret into (or out of) an expression offers (or hides) the fields, not only typing.
    onClick: (event: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => caretMoved(event.currentTarget),
    onKeyUp: (event: KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) caretMoved(event.currentTarget);
    },
    onDragOver: (event: DragEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      if (!accepts(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      setDropping(true);
    },
    onDragLeave: () => setDropping(false),
    onDrop: (event: DragEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      setDropping(false);
      if (!accepts(event)) return;
      const field = event.dataTransfer.getData(FIELD_DRAG_TYPE);
      if (!field) return;
      event.preventDefault();
      const element = event.currentTarget;
      const next = dropField(text, dropOffset(element, event.clientX), field);
      onChange(next.text);
      requestAnimationFrame(() => {
        element.focus();
        element.setSelectionRange(next.caret, next.caret);
      });
    },
  };

  return (
    <div
      className={`ez-expr${dropping ? " drop-target" : ""}`}
      onBlur={(event) => {
        // The list stays open while the focus stays in this field (its input, its button, its list).
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <div className="ez-expr-row">
        {multiline ? <textarea rows={rows} {...props} /> : <input type="text" {...props} />}
        {allowExpressions && !disabled && listButton && fields && fields.length > 0 && (
          <button
            type="button"
            className="ez-expr-button"
            title={t("Insert a field from an earlier step")}
            aria-label={t("Insert a field from an earlier step")}
            onMouseDown={(event) => event.preventDefault()} // the input keeps the focus (and its caret)
            onClick={() => {
              setPartial(null);
              setOpen(!open);
              if (ref.current) ref.current.focus();
            }}
            data-testid={testid ? `${testid}-fields` : undefined}
          >
            {"{ }"}
          </button>
        )}
        {allowExpressions && !disabled && expandable && (
          <button
            type="button"
            className="ez-expr-button"
            title={t("Open the larger expression editor")}
            aria-label={t("Open the larger expression editor")}
            onClick={() => setBig(true)}
            data-testid={testid ? `${testid}-expand` : undefined}
          >
            <Maximize2 size={12} aria-hidden="true" />
          </button>
        )}
      </div>
      {big && (
        <ExpressionDialog value={text} onChange={onChange} fields={fields || []} nodeId={nodeId} onClose={() => setBig(false)} testid={testid} />
      )}
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
