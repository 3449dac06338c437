// Loading the editor: the node catalog and the flow first (nothing works without them), then what is nice to have
// (credentials, variables, the last test run's data) without holding the editor back.
import { useCallback, useEffect, useState } from "react";
import { get, post } from "../lib/api";
import type { ErrorText } from "../lib/errors";
import { loadRunOutputs } from "../lib/runs";
import { editorState } from "../store/editorStore";
import type { Credential, CredentialType, FlowInfo, Run, Variable } from "../types/api";
import type { NodeSpec } from "../types/catalog";
import { validateFlow } from "./useAutosave";

import type { NewCredential } from "../components/ConnectionDialog";

export interface EditorLoad {
  lastRunRead: boolean;
  loaded: boolean;
  fatal: string | null;
  credentials: Credential[];
  credentialTypes: CredentialType[];
  variableNames: string[];
  createCredential(body: NewCredential): Promise<Credential>;
}

/** Back from a provider's consent screen (started in a step's credential field): the step gets the connection and is
 * selected, whether or not the autosave before leaving finished. The query names only ids; nothing else is applied. */
export function returnedFromSignIn(): void {
  const query = new URLSearchParams(window.location.search);
  const nodeId = query.get("node");
  const param = query.get("param");
  const credential = query.get("credential");
  if (!nodeId || !param || !credential || !/^\d+$/.test(credential) || !/^[A-Za-z0-9_]+$/.test(param)) return;
  const store = editorState();
  const node = store.nodes.find((n) => n.id === nodeId);
  if (node) {
    const parameters = node.data.parameters || {};
    if (parameters[param] !== Number(credential)) store.updateNodeData(nodeId, { parameters: { ...parameters, [param]: Number(credential) } });
    store.select([nodeId]);
  }
  window.history.replaceState(null, "", window.location.pathname);
}

export function useEditorLoad(flowId: number, flowApi: string, setRevision: (revision: number) => void, errorText: ErrorText): EditorLoad {
  const [loaded, setLoaded] = useState(false);
  const [fatal, setFatal] = useState<string | null>(null);
  /** The last test run is on the canvas (or there was none): an opened run may replace it from now on. */
  const [lastRunRead, setLastRunRead] = useState(false);
  const [credentials, setCredentials] = useState<Credential[]>([]);
  const [credentialTypes, setCredentialTypes] = useState<CredentialType[]>([]);
  const [variableNames, setVariableNames] = useState<string[]>([]);

  useEffect(() => {
    (async () => {
      try {
        const [catalog, flow] = await Promise.all([get<NodeSpec[]>("/nodes"), get<FlowInfo>(flowApi)]);
        const store = editorState();
        store.setCatalog(catalog);
        const { graph, ...info } = flow;
        store.setFlow(info);
        setRevision(flow.draft_revision);
        store.applyGraph(graph);
        returnedFromSignIn();
        setLoaded(true);
        validateFlow(flowApi);
        Promise.all([get<Credential[]>("/credentials"), get<CredentialType[]>("/credentials/types")])
          .then(([creds, types]) => {
            setCredentials(creds);
            setCredentialTypes(types);
          })
          .catch(() => {});
        get<Variable[]>("/variables")
          .then((list) => setVariableNames(list.map((v) => v.name)))
          .catch(() => {});
        const runs = await get<Run[] | { results: Run[] }>(`/runs?flow=${flowId}&trigger=test`).catch(() => null);
        const latest = runs && (Array.isArray(runs) ? runs : runs.results)[0];
        if (latest) await loadRunOutputs(latest.id).catch(() => null);
        setLastRunRead(true);
      } catch (exc) {
        setFatal(errorText(exc));
      }
    })();
  }, []); // once: the page is for one flow

  const createCredential = useCallback(async (body: NewCredential) => {
    const created = await post<Credential>("/credentials", body);
    setCredentials((list) => [...list, created]);
    return created;
  }, []);

  return { loaded, lastRunRead, fatal, credentials, credentialTypes, variableNames, createCredential };
}
