import { useSyncExternalStore } from "react";
import type { Session } from "./api.ts";

// sessionStorage, not localStorage: a demo token should not outlive the tab.
const KEY = "marquee.session";
const listeners = new Set<() => void>();
let current: Session | null = load();

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Session>;
    if (typeof parsed.token !== "string" || typeof parsed.userId !== "number") return null;
    return { token: parsed.token, userId: parsed.userId, demo: parsed.demo ?? true };
  } catch {
    // Storage can be disabled (privacy settings); the page then works signed out.
    return null;
  }
}

function set(session: Session | null) {
  current = session;
  try {
    if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
    else sessionStorage.removeItem(KEY);
  } catch {
    // Kept in memory only.
  }
  for (const listener of listeners) listener();
}

export const saveSession = (session: Session) => set(session);
export const clearSession = () => set(null);

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The signed-in user, or null. */
export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, () => current);
}
