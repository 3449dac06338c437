// Short messages in the corner: errors stay 8 seconds, others 4.
import { useCallback, useState } from "react";

export type ToastKind = "info" | "error";
export interface Toast {
  id: number;
  message: string;
  kind: ToastKind;
}
export type ShowToast = (message: string, kind?: ToastKind) => void;

export function useToasts(): { toasts: Toast[]; toast: ShowToast } {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const toast = useCallback<ShowToast>((message, kind = "info") => {
    const id = Math.random();
    setToasts((list) => [...list, { id, message, kind }]);
    setTimeout(() => setToasts((list) => list.filter((x) => x.id !== id)), kind === "error" ? 8000 : 4000);
  }, []);
  return { toasts, toast };
}
