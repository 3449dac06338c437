// Keyboard shortcuts of the editor (listed for people in the help dialog, components/dialogs.tsx).
import { useEffect, useRef } from "react";

export interface Shortcuts {
  readOnly: boolean;
  dialogOpen: boolean;
  closeDialog(): void;
  toggleHelp(): void;
  undo(): void;
  redo(): void;
  copy(cut: boolean): void;
  paste(): void;
  duplicate(): void;
  save(): void;
  run(): void;
  selectAll(): void;
  deleteSelected(): void;
  fitView(): void;
  autoLayout(): void;
  searchSteps(): void;
}

function isTyping(event: KeyboardEvent): boolean {
  const el = event.target;
  if (!(el instanceof HTMLElement)) return false;
  return el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable;
}

/** Runs the shortcut for a key press; true when it was one. */
export function handleShortcut(event: KeyboardEvent, s: Shortcuts): boolean {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (event.key === "Escape" && s.dialogOpen) {
    s.closeDialog();
    return true;
  }
  if (isTyping(event)) {
    if (mod && key === "s") {
      event.preventDefault();
      s.save();
      return true;
    }
    return false;
  }
  if (mod && key === "z" && !event.shiftKey) {
    event.preventDefault();
    if (!s.readOnly) s.undo();
  } else if (mod && (key === "y" || (key === "z" && event.shiftKey))) {
    event.preventDefault();
    if (!s.readOnly) s.redo();
  } else if (mod && key === "c") {
    event.preventDefault();
    s.copy(false);
  } else if (mod && key === "x" && !s.readOnly) {
    event.preventDefault();
    s.copy(true);
  } else if (mod && key === "v" && !s.readOnly) {
    event.preventDefault();
    s.paste();
  } else if (mod && key === "d" && !s.readOnly) {
    event.preventDefault();
    s.duplicate();
  } else if (mod && key === "s") {
    event.preventDefault();
    s.save();
  } else if (mod && key === "enter") {
    event.preventDefault();
    s.run();
  } else if (mod && key === "a") {
    event.preventDefault();
    s.selectAll();
  } else if ((event.key === "Delete" || event.key === "Backspace") && !s.readOnly) {
    event.preventDefault();
    s.deleteSelected();
  } else if (event.key === "?") {
    s.toggleHelp();
  } else if (key === "f" && !mod) {
    s.fitView();
  } else if (key === "l" && event.shiftKey && !s.readOnly) {
    s.autoLayout();
  } else if (event.key === "/") {
    event.preventDefault();
    s.searchSteps();
  } else {
    return false;
  }
  return true;
}

export function useKeyboard(shortcuts: Shortcuts): void {
  const current = useRef(shortcuts);
  current.current = shortcuts;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      handleShortcut(event, current.current);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
