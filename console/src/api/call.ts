/**
 * Every API call goes through `call`: it sends the tab's access token, and on a 401 trades the
 * refresh token for a new pair once and sends the request again; when that fails too the session is
 * over (the app goes to the login page). Answers come back as one shape, `Outcome`, with failures
 * already turned into a `Problem` that can be shown in words.
 */
import { type ApiClient, createApiClient } from "@platform/api-client";
import { type Problem, problemOf, unreachable } from "./problem";
import { recordRenewal, renewalOf, type TokenPair } from "./renewal-record";
import { clearSession, session, setTokens } from "./session";

export type Outcome<T> =
  | { ok: true; data: T; response: Response }
  | { ok: false; problem: Problem; response?: Response };

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Renewed; refused (the refresh token is no good: the session is over); or not now (why, as a problem). */
type Renewal = "renewed" | "refused" | Problem;

const origin = () => window.location.origin;

/** A client for calls that need no session (login, register, refresh). */
export const publicApi = (): ApiClient => createApiClient(origin());

let sessionEnded: () => void = () => {};

/** What to do when the session cannot be renewed (the app goes to the login page). */
export function onSessionEnded(listener: () => void): void {
  sessionEnded = listener;
}

/** Ends the session here (once, however many calls find it over) and says how, as a problem. */
export function endSession(): Problem {
  // Calls that failed together end the session once (one notice, one trip to the login page).
  if (session.accessToken !== null) {
    clearSession();
    sessionEnded();
  }
  return {
    title: "Unauthenticated",
    status: 401,
    code: "UNAUTHENTICATED",
    detail: "Your session has ended. Log in again.",
    requestId: "",
  };
}

let renewing: Promise<Renewal> | undefined;

/**
 * The next token pair for the refresh token. One renewal at a time: a refresh token is spent when
 * used, and a second use of a spent one revokes the whole session, so concurrent 401s share one —
 * and so do the tabs holding a copy of this session (a duplicated tab copies sessionStorage):
 * across tabs the renewal takes a Web Lock, and the tab that renews tells the others (below).
 */
export function renewTokens(): Promise<Renewal> {
  renewing ??= (async (): Promise<Renewal> => {
    const refreshToken = session.refreshToken;
    if (!refreshToken) return "refused";
    return acrossTabs(refreshToken);
  })().finally(() => {
    renewing = undefined;
  });
  return renewing;
}

const RENEWAL_LOCK = "console.renewal";
/** Where a tab that renewed tells the others at once which refresh token it spent and the pair it got. */
const renewals = typeof BroadcastChannel === "undefined" ? undefined : new BroadcastChannel(RENEWAL_LOCK);
interface Renewed {
  spent: string;
  pair: TokenPair;
}
// A tab holding the token another one spent takes the pair it got: both go on with one session.
renewals?.addEventListener("message", (message: MessageEvent<Renewed>) => {
  if (message.data?.spent && message.data.spent === session.refreshToken) setTokens(message.data.pair);
});

/** Longest wait for the refresh's answer. */
const REFRESH_TIMEOUT_MS = 15_000;

/**
 * One renewal at a time in all of this origin's tabs (a Web Lock). Under the lock, the record of
 * the renewals before (renewal-record.ts) says whether another tab spent this very token: then its
 * pair is taken instead. The message above only spares tabs the wait.
 */
async function acrossTabs(refreshToken: string): Promise<Renewal> {
  const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
  if (!locks) return refresh(refreshToken);
  return locks.request(RENEWAL_LOCK, async () => {
    const handed = await renewalOf(refreshToken);
    if (handed && session.refreshToken === refreshToken) setTokens(handed);
    if (session.refreshToken !== refreshToken) return session.refreshToken ? "renewed" : "refused";
    return refresh(refreshToken);
  });
}

async function refresh(refreshToken: string): Promise<Renewal> {
  try {
    // Bounded: a refresh left hanging would hold the renewal lock, and so every tab's renewal.
    const { data, error, response } = await publicApi().POST("/api/auth/refresh", {
      body: { refreshToken },
      signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
    });
    if (data) {
      // Logged out while the renewal was on its way: the pair is not wanted (and the session is over).
      if (session.refreshToken !== refreshToken) return session.refreshToken ? "renewed" : "refused";
      setTokens(data);
      const pair = { accessToken: data.accessToken, refreshToken: data.refreshToken };
      await recordRenewal(refreshToken, pair); // before the lock goes: the next tab to take it reads it
      renewals?.postMessage({ spent: refreshToken, pair } satisfies Renewed);
      return "renewed";
    }
    // A 429 (the edge's per-IP limit, in a burst of calls) or a 5xx says nothing of the token: the
    // session stays, and this call fails with the answer's problem.
    if (response.status === 429 || response.status >= 500) return problemOf(error, response);
    return "refused";
  } catch {
    return unreachable();
  }
}

async function attempt<T>(request: (api: ApiClient) => Promise<Answer<T>>) {
  const token = session.accessToken;
  try {
    return { token, answer: await request(createApiClient(origin(), token ? { token } : {})) };
  } catch (error) {
    // No answer at all (offline, connection refused). Logged, so a mistake of ours shows too.
    console.warn("request failed", error);
    return { token, answer: undefined };
  }
}

function outcomeOf<T>(answer: Answer<T> | undefined): Outcome<T> {
  if (!answer) return { ok: false, problem: unreachable() };
  if (answer.response.ok) return { ok: true, data: answer.data as T, response: answer.response };
  return { ok: false, problem: problemOf(answer.error, answer.response), response: answer.response };
}

/** Runs one request with the session's token, renewing the session once on a 401. */
export async function call<T>(request: (api: ApiClient) => Promise<Answer<T>>): Promise<Outcome<T>> {
  const first = await attempt(request);
  if (first.answer?.response.status !== 401 || first.token === null) return outcomeOf(first.answer);
  // Another call may have renewed the tokens while this one was under way: then just use them.
  const renewal = first.token !== session.accessToken ? "renewed" : await renewTokens();
  if (renewal === "refused") return { ok: false, problem: endSession() };
  if (renewal !== "renewed") return { ok: false, problem: renewal };
  const second = await attempt(request);
  if (second.answer?.response.status === 401) return { ok: false, problem: endSession() };
  return outcomeOf(second.answer);
}
