// The larger expression editor: a big text area with the same suggestions and drop targets as the field, the fields
// of earlier steps to click or drag in, and the live preview of the result for the current test data.
import { useEffect, useRef, type DragEvent, type KeyboardEvent } from "react";
import { useEditor } from "./context";
import { Dialog } from "./dialogs";
import ExpressionInput from "./ExpressionInput";
import { FIELD_DRAG_TYPE } from "../lib/dataFields";
import { insertField, partialAt } from "../lib/expressions";
import { depthOf, groupFields } from "../lib/fieldGroups";

interface Props {
  value: string;
  onChange: (value: string) => void;
  fields: string[];
  nodeId: string;
  onClose: () => void;
  testid?: string;
}

export default function ExpressionDialog({ value, onChange, fields, nodeId, onClose, testid }: Props) {
  const { t } = useEditor();
  const area = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const caret = useRef<number>(value.length);
  const groups = groupFields(fields);

  useEffect(() => {
    // After the dialog has put the focus on its first button.
    const frame = requestAnimationFrame(() => {
      const element = area.current;
      if (!element) return;
      element.focus();
      element.setSelectionRange(value.length, value.length);
    });
    return () => cancelAnimationFrame(frame);
  }, []);

  function insert(field: string) {
    const element = area.current;
    const at = element && document.activeElement === element && element.selectionStart !== null ? element.selectionStart : caret.current;
    const next = insertField(value, at, partialAt(value, at), field);
    onChange(next.text);
    caret.current = next.caret;
    requestAnimationFrame(() => {
      if (!element) return;
      element.focus();
      element.setSelectionRange(next.caret, next.caret);
    });
  }

  const groupTitle = (key: string, step?: string) =>
    step ? t("Step “{name}”").replace("{name}", step) : key === "input" ? t("This step's input") : key === "vars" ? t("Variables") : t("Built-in");

  return (
    <div
      onKeyDown={(event: KeyboardEvent) => {
        if (event.key === "Escape" && !event.defaultPrevented) {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <Dialog title={t("Edit expression")} onClose={onClose} testid="expression-dialog" wide>
        <div className="ez-expr-dialog">
          <div className="ez-expr-dialog-main">
            <p className="ez-hint">{t("Write text and {{ expressions }}. Click or drag a field from the list to put it at the cursor.")}</p>
            <div
              onKeyUp={() => {
                if (area.current && area.current.selectionStart !== null) caret.current = area.current.selectionStart;
              }}
              onMouseUp={() => {
                if (area.current && area.current.selectionStart !== null) caret.current = area.current.selectionStart;
              }}
            >
              <ExpressionInput
                value={value}
                onChange={(next) => onChange(next)}
                multiline
                rows={10}
                fields={fields}
                nodeId={nodeId}
                testid={testid ? `${testid}-big` : "expression-big"}
                inputRef={area}
                expandable={false}
                listButton={false}
              />
            </div>
          </div>
          <nav className="ez-expr-dialog-fields" aria-label={t("Fields")} data-testid="expression-fields">
            {groups.length === 0 && <p className="ez-hint">{t("Test the earlier steps to see their fields here.")}</p>}
            {groups.map((group) => (
              <section key={group.key}>
                <h4>{groupTitle(group.key, group.step)}</h4>
                <ul>
                  {group.fields.map((field) => (
                    <li key={field} style={{ paddingLeft: `${depthOf(field) * 10}px` }}>
                      <button
                        type="button"
                        className="ez-field-chip"
                        draggable
                        onMouseDown={(event) => event.preventDefault()} // the text area keeps the focus and its caret
                        onClick={() => insert(field)}
                        onDragStart={(event: DragEvent) => {
                          event.dataTransfer.setData(FIELD_DRAG_TYPE, field);
                          event.dataTransfer.setData("text/plain", `{{ ${field} }}`);
                          event.dataTransfer.effectAllowed = "copy";
                        }}
                        title={`{{ ${field} }}`}
                        data-testid={`expression-field-${field}`}
                      >
                        {field.replace(/^nodes\["(?:[^"\\]|\\.)*"\]\./, "")}
                      </button>
                    </li>
                  ))}
                </ul>
              </section>
            ))}
          </nav>
        </div>
        <div className="ez-row ez-dialog-actions">
          <button type="button" className="ez-button primary" onClick={onClose} data-testid="expression-dialog-done">
            {t("Done")}
          </button>
        </div>
      </Dialog>
    </div>
  );
}
