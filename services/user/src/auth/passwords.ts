/** Password hashing with Bun.password (argon2id). */
export const hashPassword = (password: string): Promise<string> =>
  Bun.password.hash(password, { algorithm: "argon2id" });

// A real hash to verify against when the email is unknown, so that an unknown email and a wrong
// password take comparable time and a caller cannot probe which emails are registered.
let decoy: Promise<string> | undefined;

/** True when the password matches; with no hash (unknown user) it still does the work, then says no. */
export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  if (hash === undefined) {
    decoy ??= hashPassword(crypto.randomUUID());
    await Bun.password.verify(password, await decoy);
    return false;
  }
  return Bun.password.verify(password, hash);
}
