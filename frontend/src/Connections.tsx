// The Connections page's "New connection" button: the same dialog as a step's credential field in the editor.
import { StrictMode, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import { ConnectionDialog, type NewCredential } from "./components/ConnectionDialog";
import { get, post, setBoot } from "./lib/api";
import { translator } from "./lib/i18n";
import type { Credential, CredentialType } from "./types/api";

export interface ConnectionsBoot {
  csrf_token: string;
  language: string;
  api_base: string;
  redirect_uri: string;
  return_to: string;
}

function NewConnection({ boot }: { boot: ConnectionsBoot }) {
  const { t } = translator(boot.language);
  const [kinds, setKinds] = useState<CredentialType[] | null>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const created = useRef(false);
  return (
    <>
      <button
        type="button"
        className="button small"
        data-testid="new-connection"
        onClick={async () => {
          try {
            setKinds(kinds || (await get<CredentialType[]>("/credentials/types")));
            setOpen(true);
          } catch {
            setError(t("Something went wrong. Please try again."));
          }
        }}
      >
        + {t("New connection")}
      </button>
      {error && <p className="field-error" role="alert">{error}</p>}
      {open && kinds && (
        <ConnectionDialog
          t={t}
          kinds={kinds}
          redirectUri={boot.redirect_uri}
          returnTo={boot.return_to}
          create={(body: NewCredential) => post<Credential>("/credentials", body)}
          onCreated={() => {
            created.current = true;
          }}
          onClose={() => {
            setOpen(false);
            if (created.current) window.location.reload();
          }}
        />
      )}
    </>
  );
}

export function mountConnections(root: HTMLElement, boot: ConnectionsBoot): void {
  setBoot(boot);
  createRoot(root).render(
    <StrictMode>
      <NewConnection boot={boot} />
    </StrictMode>,
  );
}
