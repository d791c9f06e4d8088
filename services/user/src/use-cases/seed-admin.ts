/** The first admin comes from configuration (ADMIN_EMAIL / ADMIN_PASSWORD), never from an endpoint. */
import type { Logger } from "@platform/logging";
import { hashPassword } from "../auth/passwords.js";
import { normaliseEmail } from "../domain/user.js";
import { ensureAdmin, type UserDb } from "../store/user.store.js";

export async function seedAdmin(
  db: UserDb,
  admin: { email?: string | undefined; password?: string | undefined },
  logger: Logger,
): Promise<void> {
  if (!admin.email || !admin.password) return;
  const user = await ensureAdmin(db, {
    email: normaliseEmail(admin.email),
    name: "Administrator",
    passwordHash: await hashPassword(admin.password),
  });
  logger.info({ userId: user.id, email: user.email }, "admin account ensured");
}
