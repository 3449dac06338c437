// What every part of the editor's UI may need without passing it down: the catalog, translations, credentials and
// the few server actions fields use (expression preview, creating a credential, the webhook address).
import { createContext, useContext } from "react";
import type { Preview } from "../hooks/useExpressions";
import type { NewCredential } from "./ConnectionDialog";
import type { LabelOf, Translate } from "../lib/i18n";
import type { Credential, CredentialType } from "../types/api";
import type { Catalog, NodeSpec } from "../types/catalog";

export interface EditorContextValue {
  catalog: Catalog;
  catalogList: NodeSpec[];
  t: Translate;
  labelOf: LabelOf;
  readOnly: boolean;
  preview: Preview;
  credentials: Credential[];
  credentialTypes: CredentialType[];
  createCredential(body: NewCredential): Promise<Credential>;
  canManageCredentials: boolean;
  oauth2RedirectUri: string;
  webhookUrl: string;
  copyWebhook(): void;
  /** Saves the flow now (the autosave's flush); false when it could not be saved. Called before leaving the page for
   * a provider's consent screen, so that the browser does not ask "leave this page?" and the step's choice is kept. */
  saveNow(): Promise<boolean>;
}

export const EditorContext = createContext<EditorContextValue | null>(null);

export function useEditor(): EditorContextValue {
  const value = useContext(EditorContext);
  if (!value) throw new Error("useEditor() outside <EditorContext.Provider>");
  return value;
}
