/**
 * The last renewals of this origin's tabs, in IndexedDB: which refresh token was spent and the pair
 * it gave. A tab writes it before it lets go of the renewal lock, and the next tab to take the lock
 * reads it, so a duplicated tab holding the spent token takes the pair instead of reusing the token
 * (which would revoke the session). IndexedDB, not a message: a transaction that completed is seen
 * by every later one, in any tab, however busy the browser. Records go after a minute.
 */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

const DATABASE = "console";
const STORE = "renewals";
const KEEP_MS = 60_000;

let opening: Promise<IDBDatabase | undefined> | undefined;

/** The database, or undefined where there is none (no IndexedDB: a test, a private window). */
function database(): Promise<IDBDatabase | undefined> {
  opening ??= new Promise((resolve) => {
    if (typeof indexedDB === "undefined") return resolve(undefined);
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "spent" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(undefined);
  });
  return opening;
}

function done(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = transaction.onabort = () => reject(transaction.error);
  });
}

/** The pair another tab got for this refresh token within the last minute, if one did. */
export async function renewalOf(spent: string): Promise<TokenPair | undefined> {
  const db = await database();
  if (!db) return undefined;
  try {
    const transaction = db.transaction(STORE, "readonly");
    const request = transaction.objectStore(STORE).get(spent);
    await done(transaction);
    const record = request.result as { pair: TokenPair; at: number } | undefined;
    return record && Date.now() - record.at < KEEP_MS ? record.pair : undefined;
  } catch {
    return undefined;
  }
}

/** Records a renewal (and forgets those older than a minute); resolves once it is stored. */
export async function recordRenewal(spent: string, pair: TokenPair): Promise<void> {
  const db = await database();
  if (!db) return;
  try {
    const transaction = db.transaction(STORE, "readwrite");
    const store = transaction.objectStore(STORE);
    store.put({ spent, pair, at: Date.now() });
    const all = store.openCursor();
    all.onsuccess = () => {
      const cursor = all.result;
      if (!cursor) return;
      if (Date.now() - (cursor.value as { at: number }).at >= KEEP_MS) cursor.delete();
      cursor.continue();
    };
    await done(transaction);
  } catch {
    // Not recorded: a duplicated tab renewing next may reuse the token (as without this record).
  }
}
