// An LLM answer shown while it is written, when a person tests a step (server: apps/ai/streaming.py). The server
// sends the text so far of one item ("ai.stream" messages on the ai_stream page); the latest message wins, so a
// dropped one only makes the shown text lag. The test's own answer replaces it when it arrives.
import type { LiveMessage } from "./live";

export interface StreamState {
  nodeId: string;
  item: number;
  text: string;
  done: boolean;
}

/** The stream to show after `message`, for the step being tested (`testing`); other messages change nothing. */
export function nextStream(current: StreamState | null, message: LiveMessage, testing: string | null): StreamState | null {
  if (message.type !== "ai.stream" || !testing || message.node_id !== testing || typeof message.text !== "string") return current;
  const item = typeof message.item === "number" ? message.item : 0;
  // Messages of an earlier item that arrive late do not replace the next item's text.
  if (current && current.nodeId === testing && item < current.item) return current;
  return { nodeId: testing, item, text: message.text, done: !!message.done };
}
