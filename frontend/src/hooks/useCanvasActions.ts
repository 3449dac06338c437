// Adding and connecting steps with the mouse: from the palette (click or drop), and by letting go of a connection
// over a step instead of exactly on its port.
import { useCallback } from "react";
import { useReactFlow, type FinalConnectionState } from "@xyflow/react";
import { portsOf } from "../lib/graph";
import type { LabelOf, Translate } from "../lib/i18n";
import { editorState } from "../store/editorStore";
import type { FlowEdge, FlowNode } from "../types/graph";
import type { ConnectionLike } from "../lib/graph";
import type { ShowToast } from "./useToasts";
import type React from "react";

export interface CanvasActions {
  connect(connection: ConnectionLike): boolean;
  isValidConnection(connection: ConnectionLike): boolean;
  onConnectEnd(event: MouseEvent | TouchEvent, state: FinalConnectionState): void;
  addFromPalette(key: string): void;
  onDrop(event: React.DragEvent): void;
}

export function useCanvasActions(readOnly: boolean, toast: ShowToast, t: Translate, labelOf: LabelOf): CanvasActions {
  const { screenToFlowPosition, flowToScreenPosition, getViewport, setViewport } = useReactFlow<FlowNode, FlowEdge>();

  const connect = useCallback(
    (connection: ConnectionLike) => {
      const problem = editorState().connect(connection);
      if (problem) toast(t(problem), "error");
      return !problem;
    },
    [toast, t],
  );

  const isValidConnection = useCallback((connection: ConnectionLike) => !editorState().connectionProblem(connection), []);

  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, connectionState: FinalConnectionState) => {
      if (readOnly || !connectionState || !connectionState.fromNode) return;
      if (connectionState.isValid) return;
      const point = "changedTouches" in event && event.changedTouches.length ? event.changedTouches[0] : (event as MouseEvent);
      const under = document.elementFromPoint(point.clientX, point.clientY);
      const nodeElement = under && under.closest(".react-flow__node");
      const targetId = (connectionState.toNode && connectionState.toNode.id) || (nodeElement && nodeElement.getAttribute("data-id"));
      if (!targetId) return;
      const fromIsSource = connectionState.fromHandle ? connectionState.fromHandle.type === "source" : true;
      const fromId = connectionState.fromNode.id;
      const fromPort = (connectionState.fromHandle && connectionState.fromHandle.id) || "main";
      const { nodes, catalog } = editorState();
      const target = nodes.find((n) => n.id === targetId);
      const spec = target && catalog[target.data.ntype];
      const connection: ConnectionLike = fromIsSource
        ? { source: fromId, sourceHandle: fromPort, target: targetId, targetHandle: (connectionState.toHandle && connectionState.toHandle.id) || (spec && spec.inputs[0]) || "main" }
        : { source: targetId, sourceHandle: (spec && target && portsOf(spec, target.data).outputs[0]) || "main", target: fromId, targetHandle: fromPort };
      connect(connection);
    },
    [readOnly, connect],
  );

  const addNode = useCallback(
    (key: string, position?: { x: number; y: number }, after?: FlowNode | null) => {
      const spec = editorState().catalog[key];
      if (!spec) return null;
      return editorState().addNode(key, {
        position,
        after,
        name: labelOf(spec.label),
        fallback: () => screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 }),
      });
    },
    [labelOf, screenToFlowPosition],
  );

  // A step added by click may land outside the visible canvas: bring it into view.
  const addFromPalette = useCallback(
    (key: string) => {
      const node = addNode(key);
      const canvas = document.querySelector(".ez-canvas");
      if (!node || !canvas) return;
      const box = canvas.getBoundingClientRect();
      const panelWidth = window.innerWidth > 900 ? 380 : 0; // the step panel opens over the right side
      const corner = flowToScreenPosition(node.position);
      const viewport = getViewport();
      const [width, height] = [240 * viewport.zoom, 90 * viewport.zoom];
      // Pan only as far as needed, so the step it follows stays in view too.
      let dx = 0;
      let dy = 0;
      if (corner.x + width > box.right - panelWidth - 20) dx = corner.x + width - (box.right - panelWidth - 20);
      if (corner.x - dx < box.left + 20) dx = corner.x - (box.left + 20);
      if (corner.y + height > box.bottom - 20) dy = corner.y + height - (box.bottom - 20);
      if (corner.y - dy < box.top + 20) dy = corner.y - (box.top + 20);
      if (dx || dy) setViewport({ x: viewport.x - dx, y: viewport.y - dy, zoom: viewport.zoom }, { duration: 150 });
    },
    [addNode, flowToScreenPosition, setViewport, getViewport],
  );

  const onDrop = useCallback(
    (event: React.DragEvent) => {
      event.preventDefault();
      const key = event.dataTransfer.getData("application/x-ezflow-node");
      if (!key) return;
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addNode(key, { x: position.x - 90, y: position.y - 25 }, null);
    },
    [addNode, screenToFlowPosition],
  );

  return { connect, isValidConnection, onConnectEnd, addFromPalette, onDrop };
}
