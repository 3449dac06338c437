// The assistant beside the canvas: the conversation about this flow, each answer with its explanation, the steps it
// adds, changes and removes (drawn on the canvas as a preview until applied), Apply / Discard, "Undo this change",
// and a checklist of accounts to connect and fields to fill.
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { pendingTurn, undoableTurn, type Missing, type Turn } from "../lib/assistant";
import type { Translate } from "../lib/i18n";
import type { Assistant } from "../hooks/useAssistant";

interface Props {
  t: Translate;
  assistant: Assistant;
  canEdit: boolean;
  onShowStep(id: string): void;
  onClose(): void;
}

const STATE_LABEL: Record<string, string> = {
  applied: "Applied",
  discarded: "Discarded",
  undone: "Undone",
};

function Checklist({ t, missing, onShowStep, live }: { t: Translate; missing: Missing[]; onShowStep(id: string): void; live: boolean }) {
  if (!missing.length) return null;
  return (
    <ul className="ez-assistant-checklist" data-testid="assistant-checklist">
      {missing.map((m, index) => (
        <li key={index} className={`missing-${m.code}`}>
          <span>{m.code === "connect" || m.code === "fill" ? "☐ " : "⚠ "}{m.message}</span>
          {m.code === "connect" && (
            <a className="ez-button small" href={`/connections/${m.credential_type ? `?kind=${encodeURIComponent(m.credential_type)}` : ""}`} target="_blank" rel="noopener" data-testid="assistant-connect">
              {t("Connections")} ↗
            </a>
          )}
          {live && m.node_id && m.code !== "connect" && (
            <button type="button" className="ez-link" onClick={() => onShowStep(m.node_id!)}>
              {t("Show the step")}
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function TurnView({ t, turn, props, pending, undoable }: { t: Translate; turn: Turn; props: Props; pending: boolean; undoable: boolean }) {
  const { assistant, canEdit, onShowStep } = props;
  return (
    <li className="ez-assistant-turn" data-testid="assistant-turn" data-state={turn.state}>
      <p className="ez-assistant-prompt">{turn.prompt}</p>
      <div className="ez-assistant-answer">
        {turn.notice && <p className="ez-assistant-notice" role="note" data-testid="assistant-notice">{turn.notice}</p>}
        <p data-testid="assistant-message">{turn.message}</p>
        {turn.changes.length > 0 && (
          <ul className="ez-assistant-changes" data-testid="assistant-changes">
            {turn.changes.map((c) => (
              <li key={`${c.action}-${c.node_id}`} className={`ez-legend ${c.action}`}>
                {t(c.action)}: {c.name}
              </li>
            ))}
          </ul>
        )}
        <Checklist t={t} missing={turn.missing} onShowStep={onShowStep} live={turn.state === "applied"} />
        <div className="ez-row ez-assistant-actions">
          {pending && canEdit && (
            <>
              <button type="button" className="ez-button primary" onClick={() => assistant.apply(turn)} data-testid="assistant-apply">
                {t("Apply")}
              </button>
              <button type="button" className="ez-button" onClick={() => assistant.discard(turn)} data-testid="assistant-discard">
                {t("Discard")}
              </button>
            </>
          )}
          {pending && !canEdit && <span className="muted">{t("Only editors can apply changes to this flow.")}</span>}
          {undoable && canEdit && (
            <button type="button" className="ez-button" onClick={() => assistant.undo(turn)} data-testid="assistant-undo">
              ↶ {t("Undo this change")}
            </button>
          )}
          {STATE_LABEL[turn.state] && <span className={`ez-assistant-state ${turn.state}`}>{t(STATE_LABEL[turn.state])}</span>}
          <span className="ez-assistant-engine" title={t("Who answered")}>{turn.engine === "claude" ? "Claude" : t("Offline assistant")}</span>
        </div>
      </div>
    </li>
  );
}

export default function AssistantPanel(props: Props) {
  const { t, assistant, onClose } = props;
  const [prompt, setPrompt] = useState("");
  const listRef = useRef<HTMLOListElement>(null);
  const pending = pendingTurn(assistant.turns);
  const undoable = undoableTurn(assistant.turns);

  useEffect(() => {
    if (listRef.current) listRef.current.scrollTop = listRef.current.scrollHeight;
  }, [assistant.turns.length, assistant.busy]);

  const send = async (event?: FormEvent) => {
    if (event) event.preventDefault();
    const text = prompt.trim();
    if (!text || assistant.busy) return;
    if (await assistant.ask(text)) setPrompt("");
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  return (
    <aside className="ez-assistant" aria-label={t("Assistant")} data-testid="assistant-panel">
      <div className="ez-assistant-head">
        <strong>{t("Assistant")}</strong>
        <span className="ez-spacer" />
        {assistant.turns.length > 0 && (
          <button type="button" className="ez-link" onClick={assistant.clear} data-testid="assistant-clear">
            {t("New conversation")}
          </button>
        )}
        <button type="button" className="ez-link" onClick={onClose} aria-label={t("Close")}>
          ✕
        </button>
      </div>
      <ol className="ez-assistant-turns" ref={listRef}>
        {assistant.turns.length === 0 && <li className="muted">{t("Say what this flow should do, or what to change in it.")}</li>}
        {assistant.turns.map((turn) => (
          <TurnView key={turn.id} t={t} turn={turn} props={props} pending={!!pending && pending.id === turn.id} undoable={!!undoable && undoable.id === turn.id} />
        ))}
        {assistant.busy && (
          <li className="muted" role="status" data-testid="assistant-busy">
            {assistant.progress.map((said, index) => (
              <p key={index} className="ez-assistant-progress">{said}</p>
            ))}
            {t("Thinking…")}
          </li>
        )}
      </ol>
      {assistant.error && <p className="ez-field-error" role="alert" data-testid="assistant-error">{assistant.error}</p>}
      <form className="ez-assistant-form" onSubmit={send}>
        <label htmlFor="ez-assistant-input" className="visually-hidden">{t("What should we automate?")}</label>
        <textarea
          id="ez-assistant-input"
          rows={3}
          maxLength={2000}
          value={prompt}
          onChange={(event) => setPrompt(event.target.value)}
          onKeyDown={onKeyDown}
          placeholder={t("e.g. Also send it by email")}
          data-testid="assistant-input"
        />
        <button type="submit" className="ez-button primary" disabled={assistant.busy || !prompt.trim()} data-testid="assistant-send">
          {t("Send")}
        </button>
      </form>
    </aside>
  );
}
