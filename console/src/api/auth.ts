/** Logging in and out, registering, and knowing who is logged in. */
import { clearCart } from "../cart/cart";
import { call, type Outcome, publicApi } from "./call";
import { type Problem, problemOf, unreachable } from "./problem";
import { clearSession, session, setTokens, setUser } from "./session";
import type { User } from "./types";

/** Reads the logged-in user (name and role) into the session. */
export async function loadUser(): Promise<Outcome<User>> {
  const outcome = await call((api) => api.GET("/api/users/me"));
  if (outcome.ok) setUser(outcome.data);
  return outcome;
}

/** Logs in; on success the session holds the tokens and the user. */
export async function logIn(email: string, password: string): Promise<Problem | null> {
  try {
    const { data, error, response } = await publicApi().POST("/api/auth/login", {
      body: { email, password },
    });
    if (!data) return problemOf(error, response);
    setTokens(data);
  } catch {
    return unreachable();
  }
  const user = await loadUser();
  if (user.ok) return null;
  clearSession(); // logged in without knowing who: not logged in (the page shows why)
  return user.problem;
}

/** Creates an account, then logs in with it. */
export async function register(name: string, email: string, password: string): Promise<Problem | null> {
  try {
    const { error, response } = await publicApi().POST("/api/users", { body: { name, email, password } });
    if (!response.ok) return problemOf(error, response);
  } catch {
    return unreachable();
  }
  return logIn(email, password);
}

/**
 * Revokes the session on the platform (the access token and its refresh family), then forgets it
 * here, and the cart with it (the next person to log in on this tab must not find the lines); the
 * tab forgets them even when the platform cannot be told.
 */
export async function logOut(): Promise<void> {
  if (session.accessToken) {
    // Read at each attempt: a renewal on the way spends the refresh token held before it.
    await call((api) =>
      api.POST("/api/auth/logout", {
        body: session.refreshToken ? { refreshToken: session.refreshToken } : {},
      }),
    );
  }
  clearSession();
  clearCart();
}
