// The one "new connection" dialog: opened from a step's credential field in the editor and from the Connections page
// (mounted there by connections.tsx). It shows the service's icon and where to find the values, checks each value's
// shape (the kind's `pattern`, with its made-up `example` as the placeholder), saves the credential and, for services
// that sign in with OAuth2, goes on to the provider's consent screen and comes back to `returnTo`.
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { ApiError, post } from "../lib/api";
import type { Translate } from "../lib/i18n";
import type { Credential, CredentialField, CredentialType } from "../types/api";

export interface NewCredential {
  name: string;
  type: string;
  data: Record<string, string>;
}

export function ServiceIcon({ kind, size = 20 }: { kind?: CredentialType; size?: number }) {
  if (!kind || !kind.icon) return null;
  return <img className="ez-service-icon" src={kind.icon} width={size} height={size} alt="" aria-hidden="true" />;
}

/** What is wrong with one typed value, or null. Patterns come from the server in JavaScript syntax. */
export function fieldProblem(field: CredentialField, value: string, t: Translate, isUrl = !!field.url): string | null {
  const text = value.trim();
  if (!text) return field.required ? t("This field is required.") : null;
  if (isUrl && !/^https?:\/\//i.test(text)) return t("Enter an address starting with https://.");
  if (field.pattern) {
    let shape: RegExp | null = null;
    try {
      shape = new RegExp(field.pattern);
    } catch {
      shape = null;
    }
    if (shape && !shape.test(text)) return field.example ? `${t("This does not look right. It should look like:")} ${field.example}` : t("This does not look right.");
  }
  return null;
}

export function fieldsMessage(exc: unknown, t: Translate): string {
  if (!(exc instanceof ApiError)) return t("Something went wrong. Please try again.");
  const collect = (value: unknown): string[] =>
    typeof value === "string" ? [value] : Array.isArray(value) ? value.flatMap(collect) : value && typeof value === "object" ? Object.values(value).flatMap(collect) : [];
  return [exc.message, ...collect(exc.fields)].filter(Boolean).join(" ") || t("Something went wrong. Please try again.");
}

/** Goes to the provider's consent screen; the callback sends the browser back to `returnTo` on this host. */
export async function startSignIn(credentialId: number, returnTo: string): Promise<void> {
  const answer = await post<{ authorization_url: string }>(`/credentials/${credentialId}/oauth2/authorize`, { return_to: returnTo });
  window.location.assign(answer.authorization_url);
}

interface Props {
  t: Translate;
  kinds: CredentialType[];
  kind?: string; // chosen by the step; the Connections page lets the person choose
  redirectUri?: string;
  returnTo: string;
  create(body: NewCredential): Promise<Credential>;
  onCreated(credential: Credential): void;
  onClose(): void;
  /** Where to come back after an OAuth2 sign-in, once the new connection's id is known (else `returnTo`). */
  returnToFor?(id: number): string;
  /** Run after `onCreated` and before leaving for the consent screen (the editor saves the step's new choice, so
   * that leaving does not make the browser ask "leave this page? changes may be lost"). */
  beforeSignIn?(): Promise<unknown>;
}

export function ConnectionDialog({ t, kinds, kind: fixedKind, redirectUri, returnTo, create, onCreated, onClose, returnToFor, beforeSignIn }: Props) {
  const [kindKey, setKindKey] = useState(fixedKind || "");
  const [name, setName] = useState("");
  const [values, setValues] = useState<Record<string, string>>({});
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const kind = kinds.find((k) => k.key === kindKey);

  useEffect(() => {
    const opener = document.activeElement;
    const first = ref.current && ref.current.querySelector<HTMLElement>("input, select, button");
    if (first) first.focus();
    return () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);

  const keepFocusInside = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === "Escape") onClose();
    if (event.key !== "Tab" || !ref.current) return;
    const focusable = [...ref.current.querySelectorAll<HTMLElement>("a[href], button, input, select, textarea")].filter((el) => !(el as HTMLButtonElement).disabled);
    if (!focusable.length) return;
    const [first, last] = [focusable[0], focusable[focusable.length - 1]];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  // OAuth2 kinds' addresses end in _url (the server checks them the same way).
  const isUrl = (f: CredentialField) => !!f.url || (!!kind && !!kind.oauth2 && f.name.endsWith("_url"));
  const problems = kind ? Object.fromEntries(kind.fields.map((f) => [f.name, fieldProblem(f, values[f.name] || "", t, isUrl(f))])) : {};
  const save = async () => {
    setTouched(true);
    if (!kind || Object.values(problems).some(Boolean)) return;
    setBusy(true);
    setError(null);
    try {
      const created = await create({ name: name.trim() || kind.label, type: kind.key, data: values });
      onCreated(created);
      if (kind.oauth2) {
        if (beforeSignIn) await beforeSignIn();
        await startSignIn(created.id, returnToFor ? returnToFor(created.id) : returnTo);
      } else onClose();
    } catch (exc) {
      setError(fieldsMessage(exc, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="ez-overlay" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div className="ez-dialog" role="dialog" aria-modal="true" aria-label={t("New connection")} ref={ref} data-testid="connection-dialog" onKeyDown={keepFocusInside}>
        <header>
          <h2>
            <ServiceIcon kind={kind} /> {kind ? kind.label : t("New connection")}
          </h2>
          <button type="button" className="ez-icon-button" onClick={onClose} aria-label={t("Close")}>
            ✕
          </button>
        </header>
        <form
          className="ez-credential-new"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
          noValidate
        >
          {!fixedKind && (
            <label>
              {t("Service")}
              <select value={kindKey} onChange={(event) => setKindKey(event.target.value)} data-testid="connection-kind">
                <option value="">{t("— choose —")}</option>
                {kinds.map((k) => (
                  <option key={k.key} value={k.key}>
                    {k.label}
                  </option>
                ))}
              </select>
            </label>
          )}
          {kind && kind.help && (
            <div className="ez-credential-help" data-testid="credential-help">
              <strong>{t("Where to find the values")}</strong>
              <p>{kind.help}</p>
            </div>
          )}
          {kind && (
            <>
              <label>
                {t("Name")}
                <input type="text" value={name} placeholder={kind.label} maxLength={500} onChange={(event) => setName(event.target.value)} data-testid="credential-name" />
              </label>
              {kind.fields.map((f) => {
                const problem = touched ? problems[f.name] : null;
                return (
                  <label key={f.name}>
                    {f.label}
                    {f.required ? " *" : ""}
                    <input
                      type={f.secret ? "password" : isUrl(f) ? "url" : "text"}
                      autoComplete="off"
                      value={values[f.name] || ""}
                      placeholder={f.example || (isUrl(f) ? "https://" : "")}
                      aria-invalid={problem ? true : undefined}
                      onChange={(event) => setValues({ ...values, [f.name]: event.target.value })}
                      data-testid={`credential-${f.name}`}
                    />
                    {problem && (
                      <span className="ez-field-error" role="alert" data-testid={`credential-${f.name}-error`}>
                        {problem}
                      </span>
                    )}
                  </label>
                );
              })}
              {kind.oauth2 && (
                <p className="ez-hint" data-testid="credential-oauth2-hint">
                  {t("After saving you sign in with the service and come back here.")}
                  {redirectUri ? ` ${t("Redirect address to register with the service:")} ${redirectUri}` : ""}
                </p>
              )}
              <p className="ez-hint">{t("Secret values are stored encrypted and never shown again.")}</p>
              {error && (
                <div className="ez-field-error" role="alert" data-testid="credential-error">
                  {error}
                </div>
              )}
              <button type="button" className="ez-button primary" disabled={busy} onClick={() => void save()} data-testid="credential-save">
                {kind.oauth2 ? t("Save and sign in") : t("Save credential")}
              </button>
            </>
          )}
        </form>
      </div>
    </div>
  );
}
