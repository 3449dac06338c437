// Brings a step into the part of the canvas nothing covers: the side panel opened for it, a failed step after a test
// run or in an opened run. Measures the screen, the geometry is in lib/reveal.ts.
import { useCallback } from "react";
import { useReactFlow } from "@xyflow/react";
import { revealViewport, visibleArea, type Box, type RevealOptions } from "../lib/reveal";
import type { FlowEdge, FlowNode } from "../types/graph";

// What can lie over the canvas: the step panel, the assistant and the run list (beside it on wide screens, over it
// on narrow ones).
const COVERS = [".ez-panel", ".ez-assistant", ".ez-executions"];

const boxOf = (rect: DOMRect): Box => ({ x: rect.left, y: rect.top, width: rect.width, height: rect.height });

export function useRevealNode(): (id: string, options?: RevealOptions) => void {
  const { getInternalNode, getViewport, setViewport } = useReactFlow<FlowNode, FlowEdge>();
  return useCallback(
    (id, options = {}) => {
      // After the panel has been laid out (it changes the canvas's size on wide screens).
      requestAnimationFrame(() => {
        const canvas = document.querySelector<HTMLElement>("[data-testid=canvas]");
        const node = getInternalNode(id);
        if (!canvas || !node) return;
        const canvasBox = boxOf(canvas.getBoundingClientRect());
        let area = canvasBox;
        for (const selector of COVERS) {
          const cover = document.querySelector<HTMLElement>(selector);
          if (cover) area = visibleArea(area, boxOf(cover.getBoundingClientRect()));
        }
        if (area.width < 80) return; // a panel over the whole screen (a phone): nothing to move into sight
        const relative = { ...area, x: area.x - canvasBox.x, y: area.y - canvasBox.y };
        const width = node.measured.width || node.width || 180;
        const height = node.measured.height || node.height || 56;
        const position = node.internals.positionAbsolute;
        const next = revealViewport({ x: position.x, y: position.y, width, height }, relative, getViewport(), options);
        if (next) setViewport(next, { duration: 250 });
      });
    },
    [getInternalNode, getViewport, setViewport],
  );
}
