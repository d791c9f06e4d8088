/**
 * Who is logged in, in this tab: the access and refresh tokens and the user they belong to, kept in
 * sessionStorage (gone with the tab, never shared with another one) and mirrored in a reactive
 * object the screens read.
 */
import { computed, reactive } from "vue";
import type { TokenPair, User } from "./types";

const KEY = "console.session";

interface Stored {
  accessToken: string | null;
  refreshToken: string | null;
  user: User | null;
}

function read(): Stored {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as Partial<Stored> | null;
    return {
      accessToken: stored?.accessToken ?? null,
      refreshToken: stored?.refreshToken ?? null,
      user: stored?.user ?? null,
    };
  } catch {
    return { accessToken: null, refreshToken: null, user: null };
  }
}

export const session = reactive<Stored>(read());

function save(): void {
  if (session.accessToken) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

export const loggedIn = computed(() => session.accessToken !== null);
export const isAdmin = computed(() => session.user?.role === "admin");

export function setTokens(pair: Pick<TokenPair, "accessToken" | "refreshToken">): void {
  session.accessToken = pair.accessToken;
  session.refreshToken = pair.refreshToken;
  save();
}

export function setUser(user: User): void {
  session.user = user;
  save();
}

export function clearSession(): void {
  session.accessToken = null;
  session.refreshToken = null;
  session.user = null;
  save();
}

/** Whether a JWT's `exp` has passed (read, not verified: only to know when to renew). */
export function tokenExpired(token: string): boolean {
  try {
    const payload = token.split(".")[1] ?? "";
    const claims = JSON.parse(atob(payload.replaceAll("-", "+").replaceAll("_", "/"))) as { exp?: number };
    return typeof claims.exp === "number" && claims.exp * 1000 <= Date.now();
  } catch {
    return false;
  }
}
