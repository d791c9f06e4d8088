/** Short messages shown for a few seconds in the page's polite live region (toast-region.vue). */
import { reactive } from "vue";

interface Toast {
  id: number;
  text: string;
  /** The order it is about, for a link to it. */
  orderId?: string | null;
}

const SHOWN_FOR_MS = 6000;

export const toasts = reactive<Toast[]>([]);
let nextId = 1;

export function dismissToast(id: number): void {
  const index = toasts.findIndex((toast) => toast.id === id);
  if (index >= 0) toasts.splice(index, 1);
}

export function toast(text: string, orderId?: string | null): void {
  const id = nextId++;
  toasts.push({ id, text, orderId });
  setTimeout(() => dismissToast(id), SHOWN_FOR_MS);
}
