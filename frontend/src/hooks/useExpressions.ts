// Expressions in the selected step's fields: what autocomplete offers and the preview of a value for the first item.
import { useCallback, useMemo } from "react";
import { post } from "../lib/api";
import type { ErrorText } from "../lib/errors";
import { ancestors, expressionFields, inputOf, itemsOf } from "../lib/expressions";
import type { Translate } from "../lib/i18n";
import { editorState, useEditorStore } from "../store/editorStore";
import type { ExpressionResult } from "../types/api";
import type { Item } from "../types/graph";

export interface PreviewResult {
  text?: string;
  error?: string;
  note?: string;
}
export type Preview = (nodeId: string, value: string) => Promise<PreviewResult>;

export function useExpressionPreview(flowApi: string, t: Translate, errorText: ErrorText): Preview {
  // A new test result or pinned data previews again (a new function makes the inputs ask again).
  const outputs = useEditorStore((s) => s.outputs);
  const pinned = useEditorStore((s) => s.pinned);
  return useCallback<Preview>(
    async (nodeId, value) => {
      const data = editorState();
      const input = inputOf(data, nodeId);
      const earlier = ancestors(data, nodeId);
      const known = input || earlier.some((a) => itemsOf(data, a.id));
      if (!known && /\b(json|nodes)\b/.test(value)) return { note: t("Test the earlier steps to preview this value with their data.") };
      const nodesData: Record<string, Item[]> = {};
      for (const a of earlier) {
        const items = itemsOf(data, a.id);
        if (items) nodesData[a.data.name] = items.slice(0, 20);
      }
      try {
        const result = await post<ExpressionResult>(`${flowApi}/expression`, { value, item: (input && input[0]) || {}, nodes: nodesData });
        return result.ok ? { text: typeof result.value === "string" ? result.value : JSON.stringify(result.value) } : { error: result.error };
      } catch (exc) {
        return { error: errorText(exc) };
      }
    },
    [flowApi, errorText, t, outputs, pinned],
  );
}

/** The autocomplete list for one step, from the data its earlier steps produced last. */
export function useExpressionFields(nodeId: string | null, variableNames: string[]): string[] {
  const nodes = useEditorStore((s) => s.nodes);
  const edges = useEditorStore((s) => s.edges);
  const outputs = useEditorStore((s) => s.outputs);
  const pinned = useEditorStore((s) => s.pinned);
  return useMemo(
    () => (nodeId ? expressionFields({ nodes, edges, outputs, pinned }, nodeId, variableNames) : []),
    [nodeId, nodes, edges, outputs, pinned, variableNames],
  );
}
