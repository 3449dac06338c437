// The flow editor: composes the graph store, the hooks for loading, saving, test runs, expressions, publishing,
// clipboard and keyboard, and the parts of the screen. Behaviour lives in those modules, not here.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ReactFlow, Background, Controls, MiniMap, applyNodeChanges, useReactFlow, type NodeChange } from "@xyflow/react";
import AssistantPanel from "./components/AssistantPanel";
import ExecutionsPanel from "./components/ExecutionsPanel";
import { EditorContext, type EditorContextValue } from "./components/context";
import { nodeTypes } from "./components/nodes";
import Palette from "./components/Palette";
import Panel from "./components/Panel";
import Toolbar, { type DialogName } from "./components/Toolbar";
import { HistoryPanel, ImportDialog, HelpOverlay, PublishDialog } from "./components/dialogs";
import { useAssistant } from "./hooks/useAssistant";
import { useAutosave } from "./hooks/useAutosave";
import { useCanvasActions } from "./hooks/useCanvasActions";
import { useClipboard } from "./hooks/useClipboard";
import { useEditorLoad } from "./hooks/useEditorLoad";
import { useExecutions } from "./hooks/useExecutions";
import { useExpressionFields, useExpressionPreview } from "./hooks/useExpressions";
import { useKeyboard } from "./hooks/useKeyboard";
import { useLiveRuns } from "./hooks/useLiveRuns";
import { useOnline } from "./hooks/useOnline";
import { usePublishing } from "./hooks/usePublishing";
import { useRevealNode } from "./hooks/useRevealNode";
import { useToasts } from "./hooks/useToasts";
import { graphDiff, pendingTurn, placeholdersByNode } from "./lib/assistant";
import { diffOf, displayEdges, displayNodes, problemsByNode as groupProblems, shownOutput } from "./lib/display";
import { toFlow } from "./lib/graph";
import { errorTextOf } from "./lib/errors";
import { failedNodeOf, isTestRun, runLabel } from "./lib/executions";
import { bootTimeZone } from "./lib/api";
import { formatWhen } from "./lib/dates";
import type { RevealOptions } from "./lib/reveal";
import { inputOf } from "./lib/expressions";
import type { LabelOf, Translate } from "./lib/i18n";
import { editorState, useEditorStore } from "./store/editorStore";
import type { Boot, Run } from "./types/api";
import type { FlowEdge, FlowNode, Item } from "./types/graph";

interface Props {
  boot: Boot;
  t: Translate;
  labelOf: LabelOf;
}

const FIT = { padding: 0.3, maxZoom: 1.2 };
// A failed step is shown large enough to read.
const FAILED_VIEW: RevealOptions = { minZoom: 0.8, maxZoom: 1.2, centre: true };

export default function App({ boot, t, labelOf }: Props) {
  const flowApi = `/flows/${boot.flow_id}`;
  const readOnly = !boot.can_edit;
  const { fitView } = useReactFlow<FlowNode, FlowEdge>();
  useState(() => {
    editorState().reset();
    editorState().setReadOnly(readOnly);
  });

  const [dialog, setDialog] = useState<DialogName | null>(null);
  const [paletteOpen, setPaletteOpen] = useState(window.innerWidth > 900);
  const searchRef = useRef<HTMLInputElement>(null);
  const online = useOnline();
  const { toasts, toast } = useToasts();
  const errorText = useMemo(() => errorTextOf(t), [t]);
  const closeDialog = useCallback(() => setDialog(null), []);

  const autosave = useAutosave({ boot, flowApi, readOnly, toast, errorText, t });
  const { flush, overwrite, setRevision } = autosave;
  const load = useEditorLoad(boot.flow_id, flowApi, setRevision, errorText);
  const { loaded, fatal } = load;
  const assistant = useAssistant({ boot, loaded, flowApi, toast, errorText, t });
  const [assistantOpen, setAssistantOpen] = useState(() => new URLSearchParams(window.location.search).has("assistant"));
  const reveal = useRevealNode();
  // The step to bring into sight once it is selected, and how (a failed one is zoomed in to be readable).
  const pendingReveal = useRef<{ id: string; options: RevealOptions } | null>(null);
  const showStep = useCallback(
    (id: string, options: RevealOptions, openPanel: boolean) => {
      const current = editorState().nodes.filter((n) => n.selected);
      if (!openPanel || (current.length === 1 && current[0].id === id)) reveal(id, options);
      else {
        pendingReveal.current = { id, options };
        editorState().select([id]);
      }
    },
    [reveal],
  );
  const executions = useExecutions({
    flowId: boot.flow_id,
    loaded,
    toast,
    errorText,
    t,
    onShown: (_run, failed) => failed && showStep(failed, FAILED_VIEW, true),
  });
  const onRunFinished = useCallback(
    (run: Run) => {
      const failed = run.status === "failed" ? failedNodeOf(run) : null;
      if (!failed || !editorState().nodes.some((n) => n.id === failed)) return;
      // The failed step's panel says what went wrong; a panel open on another step stays (the person is editing it).
      showStep(failed, FAILED_VIEW, !editorState().nodes.some((n) => n.selected));
    },
    [showStep],
  );
  const runs = useLiveRuns({
    boot,
    loaded,
    flowApi,
    readOnly,
    flush,
    toast,
    errorText,
    t,
    onMessage: (message) => {
      assistant.onLive(message);
      executions.onLive(message);
    },
    assistantLive: assistantOpen,
    onFinished: onRunFinished,
  });
  const { testing, testNode } = runs;
  const runFlow = useCallback(async () => {
    if (executions.viewing) executions.leave(); // a new test run replaces the opened run on the canvas
    await runs.runFlow();
  }, [executions, runs]);
  const publishing = usePublishing({ flowApi, flush, setRevision, closeDialog, toast, errorText, t });
  const { diff, webhookUrl, copyWebhook } = publishing;
  const clipboard = useClipboard(toast, t);
  const canvas = useCanvasActions(readOnly, toast, t, labelOf);
  const preview = useExpressionPreview(flowApi, t, errorText);
  // The proposal waiting for Apply / Discard is drawn on the canvas instead of the draft (not editable meanwhile).
  const proposal = assistantOpen ? pendingTurn(assistant.turns) : null;
  const [proposalNodes, setProposalNodes] = useState<FlowNode[]>([]);
  const proposalFlow = useMemo(() => (proposal ? toFlow(proposal.graph) : null), [proposal]);
  useEffect(() => setProposalNodes(proposalFlow ? proposalFlow.nodes : []), [proposalFlow]);
  const proposalDiff = useMemo(
    () => (proposal && proposalFlow ? diffOf(0, graphDiff(proposal.graph_before, proposal.graph), proposalFlow.nodes) : null),
    [proposal, proposalFlow],
  );
  const onProposalNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => setProposalNodes((current) => applyNodeChanges(changes.filter((c) => c.type === "dimensions"), current)),
    [],
  );

  const catalog = useEditorStore((s) => s.catalog);
  const catalogList = useEditorStore((s) => s.catalogList);
  const flow = useEditorStore((s) => s.flow);
  const nodes = useEditorStore((s) => s.nodes);
  const edges = useEditorStore((s) => s.edges);
  const pinned = useEditorStore((s) => s.pinned);
  const problems = useEditorStore((s) => s.problems);
  const statuses = useEditorStore((s) => s.statuses);
  const outputs = useEditorStore((s) => s.outputs);
  const runInfo = useEditorStore((s) => s.runInfo);
  const ghostSizes = useEditorStore((s) => s.ghostSizes);
  const saveState = useEditorStore((s) => s.saveState);
  const { undo, redo, deleteSelected, onNodesChange, onEdgesChange, remember, updateNodeData, select } = useEditorStore.getState();

  const autoLayout = useCallback(() => {
    editorState().autoLayout();
    setTimeout(() => fitView(FIT), 50);
  }, [fitView]);

  const rename = useCallback(
    (id: string, name: string) => {
      if (editorState().rename(id, name)) return true;
      toast(t("Another step already has this name. Give each step its own name."), "error");
      return false;
    },
    [toast, t],
  );

  const setPin = useCallback(
    (id: string, items: Item[] | null) => {
      editorState().setPin(id, items);
      toast(items === null ? t("Pinned data cleared.") : t("Test data pinned. Test runs use it instead of running this step."));
    },
    [toast, t],
  );

  useEffect(() => {
    // Only with steps: React Flow would otherwise keep the request and zoom onto the first step dropped later.
    if (loaded && editorState().nodes.length) setTimeout(() => fitView(FIT), 50);
  }, [loaded]); // once, when the flow is there

  useEffect(() => {
    // "Open this run in the editor" (a run page's link): /flows/<id>/edit/?run=<run id> opens it in the debug view,
    // once the last test run is on the canvas (it would replace the run otherwise) and after the first fit.
    const wanted = new URLSearchParams(window.location.search).get("run");
    if (!load.lastRunRead || !wanted || !/^\d+$/.test(wanted)) return;
    executions.setOpen(true);
    setTimeout(() => executions.show(Number(wanted)), 120);
  }, [load.lastRunRead]); // once

  useKeyboard({
    readOnly,
    dialogOpen: dialog !== null,
    closeDialog,
    toggleHelp: () => setDialog(dialog === "help" ? null : "help"),
    undo,
    redo,
    copy: clipboard.copy,
    paste: clipboard.paste,
    duplicate: clipboard.duplicate,
    save: flush,
    run: runFlow,
    selectAll: () => select("all"),
    deleteSelected,
    fitView: () => fitView(FIT),
    autoLayout,
    searchSteps: () => {
      setPaletteOpen(true);
      setTimeout(() => {
        if (!searchRef.current) return;
        searchRef.current.focus();
        searchRef.current.select(); // typing replaces the last search
      }, 0);
    },
  });

  const problemsByNode = useMemo(() => groupProblems(problems), [problems]);
  const shownNodes = useMemo(
    () =>
      proposal && proposalDiff
        ? displayNodes({ nodes: proposalNodes, statuses: {}, problems: placeholdersByNode(proposal.missing), diff: proposalDiff, ghostSizes, pinned: {}, catalog, t, labelOf })
        : displayNodes({ nodes, statuses, problems: problemsByNode, diff, ghostSizes, pinned, catalog, t, labelOf }),
    [proposal, proposalDiff, proposalNodes, nodes, statuses, problemsByNode, diff, ghostSizes, pinned, catalog, t, labelOf],
  );
  const shownEdges = useMemo(
    () =>
      proposalFlow && proposalDiff
        ? displayEdges(proposalFlow.edges, proposalNodes, {}, proposalDiff)
        : displayEdges(edges, nodes, statuses, diff, outputs),
    [proposalFlow, proposalDiff, proposalNodes, edges, nodes, statuses, diff, outputs],
  );

  const selectedNodes = nodes.filter((n) => n.selected);
  const selected = selectedNodes.length === 1 && !proposal ? selectedNodes[0] : null;
  const selectedId = selected ? selected.id : null;
  // An opened run shows what its steps received and sent, not the draft's pinned test data.
  const viewing = !!executions.viewing;
  // The side panel never hides the step it edits: the canvas moves it beside the panel.
  useEffect(() => {
    if (!selectedId) return;
    const wanted = pendingReveal.current;
    pendingReveal.current = null;
    reveal(selectedId, wanted && wanted.id === selectedId ? wanted.options : {});
  }, [selectedId, reveal]);
  const fields = useExpressionFields(selected ? selected.id : null, load.variableNames);

  const context = useMemo<EditorContextValue>(
    () => ({
      catalog,
      catalogList,
      t,
      labelOf,
      readOnly,
      preview,
      credentials: load.credentials,
      credentialTypes: load.credentialTypes,
      createCredential: load.createCredential,
      canManageCredentials: ["owner", "admin"].includes(boot.role),
      oauth2RedirectUri: boot.oauth2_redirect_uri || "",
      webhookUrl,
      copyWebhook,
      saveNow: flush,
    }),
    [catalog, catalogList, t, labelOf, readOnly, preview, load.credentials, load.credentialTypes, load.createCredential, boot.role, boot.oauth2_redirect_uri, webhookUrl, copyWebhook, flush],
  );

  if (fatal) return <div className="ez-fatal" role="alert">{fatal}</div>;
  if (!loaded || !flow) return <div className="ez-loading">{t("Loading the editor…")}</div>;

  const hasWebhook = nodes.some((n) => n.data.ntype === "trigger.webhook");
  const isEmpty = nodes.length === 0;

  return (
    <EditorContext.Provider value={context}>
      <div className={`ez-editor${readOnly ? " read-only" : ""}`} data-testid="editor" data-save-state={saveState} data-live={runs.liveState}>
        <Toolbar
          t={t}
          boot={boot}
          flow={flow}
          readOnly={readOnly}
          saveState={saveState}
          testing={testing}
          hasWebhook={hasWebhook}
          paletteOpen={paletteOpen}
          setPaletteOpen={setPaletteOpen}
          dialog={dialog}
          setDialog={setDialog}
          renameFlow={publishing.renameFlow}
          undo={undo}
          redo={redo}
          autoLayout={autoLayout}
          runFlow={runFlow}
          setActive={publishing.setActive}
          copyWebhook={copyWebhook}
          exportFlow={publishing.exportFlow}
          copy={clipboard.copy}
          paste={clipboard.paste}
          duplicate={clipboard.duplicate}
          deleteSelected={deleteSelected}
          assistantOpen={assistantOpen}
          setAssistantOpen={setAssistantOpen}
          executionsOpen={executions.open}
          setExecutionsOpen={executions.setOpen}
        />
        {!online && (
          <div className="ez-banner warn" role="alert" data-testid="editor-offline">
            {t("You are offline. Your changes are kept here and saved when you are back online.")}
          </div>
        )}
        {saveState === "stale" && (
          <div className="ez-banner error" role="alert" data-testid="stale-warning">
            <strong>{t("This flow was changed in another tab or by someone else.")}</strong>{" "}
            {t("Your latest changes are not saved. Reload to see the other version, or keep yours and replace it.")}
            <span className="ez-row">
              <button type="button" className="ez-button" onClick={() => window.location.reload()} data-testid="stale-reload">
                {t("Reload")}
              </button>
              <button type="button" className="ez-button danger" onClick={overwrite} data-testid="stale-overwrite">
                {t("Keep mine")}
              </button>
            </span>
          </div>
        )}
        {readOnly && <div className="ez-banner" role="note">{t("You can look at this flow, but only editors can change or run it.")}</div>}
        {proposal && (
          <div className="ez-banner info" role="status" data-testid="proposal-banner">
            {t("Preview of the assistant's proposal:")} <span className="ez-legend added">{t("added")}</span>{" "}
            <span className="ez-legend changed">{t("changed")}</span> <span className="ez-legend removed">{t("removed")}</span>{" "}
            {boot.can_edit && (
              <span className="ez-row">
                <button type="button" className="ez-button primary" onClick={() => assistant.apply(proposal)} data-testid="proposal-apply">
                  {t("Apply")}
                </button>
                <button type="button" className="ez-button" onClick={() => assistant.discard(proposal)} data-testid="proposal-discard">
                  {t("Discard")}
                </button>
              </span>
            )}
          </div>
        )}
        {executions.viewing && !proposal && (
          <div className={`ez-banner ${executions.viewing.run.status === "failed" ? "error" : "info"}`} role="status" data-testid="debug-banner">
            <strong>
              {t("Showing run {n} of {when}")
                .replace("{n}", runLabel(executions.viewing.run))
                .replace("{when}", formatWhen(executions.viewing.run.created_at, bootTimeZone()))}
            </strong>{" "}
            ({isTestRun(executions.viewing.run) ? t("Test") : t("Production")}, {t(`run:${executions.viewing.run.status}`)})
            {executions.viewing.run.error && <span data-testid="debug-error"> — {executions.viewing.run.error}</span>}
            {executions.viewing.missing.length > 0 && (
              <span className="ez-hint">
                {" "}
                {t("Steps of this run no longer in the draft:")} {executions.viewing.missing.join(", ")}
              </span>
            )}
            <span className="ez-row">
              {!readOnly && (
                <button type="button" className="ez-button primary" onClick={executions.copyToEditor} data-testid="debug-copy" title={t("Pins this run's input on the trigger, so “Test flow” runs again with it.")}>
                  {t("Copy to editor")}
                </button>
              )}
              <button type="button" className="ez-button" onClick={executions.leave} data-testid="debug-leave">
                {t("Back to the draft")}
              </button>
            </span>
          </div>
        )}
        {diff && !proposal && (
          <div className="ez-banner info" role="status" data-testid="diff-banner">
            {t("Changes since version {n}:").replace("{n}", String(diff.number))}{" "}
            <span className="ez-legend added">{t("added")}</span> <span className="ez-legend changed">{t("changed")}</span>{" "}
            {diff.removed.length > 0 && (
              <span className="ez-legend removed">
                {t("removed")}: {diff.removed.map((n) => n.name || n.id).join(", ")}
              </span>
            )}
            <button type="button" className="ez-link" onClick={() => publishing.showDiff(null)}>
              {t("Hide changes")}
            </button>
          </div>
        )}
        <div className="ez-body">
          {!readOnly && paletteOpen && !proposal && <Palette onAdd={canvas.addFromPalette} searchRef={searchRef} />}
          <div className="ez-canvas" onDragOver={(event) => { event.preventDefault(); event.dataTransfer.dropEffect = "move"; }} onDrop={canvas.onDrop} data-testid="canvas">
            <ReactFlow
              nodes={shownNodes}
              edges={shownEdges}
              nodeTypes={nodeTypes}
              onNodesChange={proposal ? onProposalNodesChange : onNodesChange}
              onEdgesChange={proposal ? undefined : onEdgesChange}
              onConnect={canvas.connect}
              onConnectEnd={canvas.onConnectEnd}
              isValidConnection={canvas.isValidConnection}
              onNodeDragStart={() => remember()}
              deleteKeyCode={null}
              selectionKeyCode="Shift"
              multiSelectionKeyCode={["Meta", "Control"]}
              nodesDraggable={!readOnly && !proposal}
              nodesConnectable={!readOnly && !proposal}
              connectionRadius={30}
              minZoom={0.2}
              maxZoom={2}
              proOptions={{ hideAttribution: true }}
              ariaLabelConfig={undefined}
            >
              <Background gap={20} />
              <Controls showInteractive={false} />
              <MiniMap pannable zoomable className="ez-minimap" />
            </ReactFlow>
            {isEmpty && !proposal && (
              <div className="ez-empty-canvas" data-testid="empty-canvas">
                <p>{readOnly ? t("This flow is empty.") : t("Start by dragging a trigger (for example “Webhook”) from the left onto this canvas.")}</p>
              </div>
            )}
            {runInfo && (
              <div className={`ez-run-info ${runInfo.status}`} data-testid="run-info" role="status">
                {t("Last test run:")} {t(`run:${runInfo.status}`)}
                {runInfo.id && <a href={`/runs/${runInfo.id}/`}> #{runInfo.id}</a>}
              </div>
            )}
          </div>
          {selected && (
            <Panel
              key={selected.id}
              node={selected}
              onChange={updateNodeData}
              onRename={rename}
              problems={problemsByNode[selected.id] || []}
              fields={fields}
              input={inputOf({ nodes, edges, pinned: viewing ? {} : pinned, outputs }, selected.id)}
              output={viewing ? outputs[selected.id] || null : shownOutput(outputs[selected.id], pinned[selected.id])}
              onTestNode={testNode}
              runError={statuses[selected.id] && statuses[selected.id].error}
              testing={testing}
              streaming={runs.stream && runs.stream.nodeId === selected.id ? runs.stream.text : undefined}
              pinned={pinned[selected.id]}
              onPin={setPin}
              flowId={boot.flow_id}
              onClose={() => select([])}
            />
          )}
          {executions.open && <ExecutionsPanel t={t} executions={executions} onClose={() => executions.setOpen(false)} />}
          {assistantOpen && (
            <AssistantPanel
              t={t}
              assistant={assistant}
              canEdit={boot.can_edit}
              onShowStep={(id) => select([id])}
              onClose={() => setAssistantOpen(false)}
            />
          )}
        </div>
        {problems.length > 0 && (
          <details className="ez-problems" data-testid="problems">
            <summary>⚠ {t("To fix before publishing: {n}").replace("{n}", String(problems.length))}</summary>
            <ul>
              {problems.map((p, index) => {
                const node = nodes.find((n) => n.id === p.node_id);
                return (
                  <li key={index}>
                    <button
                      type="button"
                      className="ez-link"
                      onClick={() => node && select([node.id])}
                    >
                      {node ? `${node.data.name}: ` : ""}
                      {p.message}
                    </button>
                  </li>
                );
              })}
            </ul>
          </details>
        )}
        <div className="ez-toasts" aria-live="polite">
          {toasts.map((x) => (
            <div key={x.id} className={`ez-toast ${x.kind}`} role={x.kind === "error" ? "alert" : "status"} data-testid="toast">
              {x.message}
            </div>
          ))}
        </div>
        {dialog === "publish" && <PublishDialog onPublish={publishing.publish} onClose={() => setDialog(null)} />}
        {dialog === "history" && (
          <HistoryPanel flowApi={flowApi} diff={diff} onDiff={publishing.showDiff} onRestore={publishing.restoreVersion} onClose={() => setDialog(null)} />
        )}
        {dialog === "import" && <ImportDialog onClose={() => setDialog(null)} />}
        {dialog === "help" && <HelpOverlay onClose={() => setDialog(null)} />}
      </div>
    </EditorContext.Provider>
  );
}
