/**
 * The first admin comes from configuration (ADMIN_EMAIL / ADMIN_PASSWORD), never from an endpoint.
 * Idempotent: an existing admin of that email is left as it is (its password too). An existing
 * account that is not an admin is never promoted: anyone may register any email first, and
 * promoting it would hand the admin role to whoever chose its password.
 */
import type { Logger } from "@platform/logging";
import { hashPassword } from "../auth/passwords.js";
import { normaliseEmail } from "../domain/user.js";
import { ensureAdmin, type UserDb } from "../store/user.store.js";

/** Whether the configured admin exists as an admin after the seed. */
export async function seedAdmin(
  db: UserDb,
  admin: { email?: string | undefined; password?: string | undefined },
  logger: Logger,
): Promise<boolean> {
  if (!admin.email || !admin.password) return false;
  const user = await ensureAdmin(db, {
    email: normaliseEmail(admin.email),
    name: "Administrator",
    passwordHash: await hashPassword(admin.password),
  });
  if (user.role !== "admin") {
    logger.error(
      { userId: user.id, email: user.email },
      "ADMIN_EMAIL belongs to an account registered through the API; it is not promoted (pick another ADMIN_EMAIL, or promote it deliberately)",
    );
    return false;
  }
  logger.info({ userId: user.id, email: user.email }, "admin account ensured");
  return true;
}
