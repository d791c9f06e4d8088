/** Users in Postgres: plain functions taking the database first. */
import { containsPattern, isUniqueViolation } from "@platform/db";
import { AppError } from "@platform/errors";
import type { Kysely } from "kysely";
import type { NotificationPreferences, Role, User, UserStatus } from "../domain/user.js";
import type { UserDatabase, UserRow } from "./user.table.js";

export type UserDb = Kysely<UserDatabase>;

const toUser = (row: Omit<UserRow, "passwordHash" | "updatedAt">): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  phone: row.phone,
  role: row.role,
  status: row.status,
  notificationPreferences: { email: row.notifyEmail, sms: row.notifySms, webhook: row.notifyWebhook },
  createdAt: row.createdAt,
});

const PUBLIC_COLUMNS = [
  "id",
  "email",
  "name",
  "phone",
  "role",
  "status",
  "notifyEmail",
  "notifySms",
  "notifyWebhook",
  "createdAt",
] as const;

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
  role?: Role;
}

/** Inserts a user; an email already registered is a 409 EMAIL_TAKEN (the unique index decides). */
export async function insertUser(db: UserDb, user: NewUser): Promise<User> {
  try {
    const row = await db
      .insertInto("user")
      .values({ id: Bun.randomUUIDv7(), role: "user", ...user })
      .returning(PUBLIC_COLUMNS)
      .executeTakeFirstOrThrow();
    return toUser(row);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("EMAIL_TAKEN", "An account with this email exists already.");
    }
    throw error;
  }
}

export async function findUserById(db: UserDb, id: string): Promise<User | undefined> {
  const row = await db.selectFrom("user").select(PUBLIC_COLUMNS).where("id", "=", id).executeTakeFirst();
  return row && toUser(row);
}

/**
 * What may change of a user through the API (the profile and notification preferences by their
 * owner, the access by an admin).
 */
export interface UserChange {
  name?: string;
  phone?: string | null;
  role?: Role;
  status?: UserStatus;
  notificationPreferences?: NotificationPreferences;
}

/** Applies a change; the user as it is now (a change of nothing writes nothing), undefined when none. */
export async function updateUser(db: UserDb, id: string, change: UserChange): Promise<User | undefined> {
  if (Object.values(change).every((value) => value === undefined)) return findUserById(db, id);
  const { notificationPreferences: preferences, ...columns } = change;
  const row = await db
    .updateTable("user")
    .set({
      ...columns,
      ...(preferences && {
        notifyEmail: preferences.email,
        notifySms: preferences.sms,
        notifyWebhook: preferences.webhook,
      }),
      updatedAt: new Date(),
    })
    .where("id", "=", id)
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirst();
  return row && toUser(row);
}

export async function updatePasswordHash(db: UserDb, id: string, passwordHash: string): Promise<void> {
  await db.updateTable("user").set({ passwordHash, updatedAt: new Date() }).where("id", "=", id).execute();
}

/** Users newest first, filtered; `before` is the id the previous page ended with. */
export async function listUsers(
  db: UserDb,
  filter: { q?: string; role?: Role; active?: boolean; before?: string; limit: number },
): Promise<User[]> {
  let query = db.selectFrom("user").select(PUBLIC_COLUMNS).orderBy("id", "desc").limit(filter.limit);
  if (filter.q) {
    const pattern = containsPattern(filter.q);
    query = query.where((eb) => eb.or([eb("email", "ilike", pattern), eb("name", "ilike", pattern)]));
  }
  if (filter.role) query = query.where("role", "=", filter.role);
  if (filter.active !== undefined) query = query.where("status", "=", filter.active ? "active" : "disabled");
  if (filter.before) query = query.where("id", "<", filter.before);
  return (await query.execute()).map(toUser);
}

/** The user and their password hash, for login only. */
export async function findCredentials(
  db: UserDb,
  email: string,
): Promise<{ user: User; passwordHash: string } | undefined> {
  const row = await db
    .selectFrom("user")
    .select([...PUBLIC_COLUMNS, "passwordHash"])
    .where("email", "=", email)
    .executeTakeFirst();
  return row && { user: toUser(row), passwordHash: row.passwordHash };
}

/**
 * Creates the seeded admin unless an account with its email exists; answers the account either way
 * (the caller decides what an existing non-admin account means). Never changes an existing row.
 */
export async function ensureAdmin(db: UserDb, admin: Omit<NewUser, "role">): Promise<User> {
  const created = await db
    .insertInto("user")
    .values({ id: Bun.randomUUIDv7(), role: "admin", ...admin })
    .onConflict((oc) => oc.column("email").doNothing())
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirst();
  if (created) return toUser(created);
  const existing = await db
    .selectFrom("user")
    .select(PUBLIC_COLUMNS)
    .where("email", "=", admin.email)
    .executeTakeFirstOrThrow();
  return toUser(existing);
}

/** Users deactivated (and changed) since `since`, with their last change. */
export async function usersDeactivatedSince(
  db: UserDb,
  since: Date,
): Promise<Array<{ id: string; at: Date }>> {
  const rows = await db
    .selectFrom("user")
    .select(["id", "updatedAt"])
    .where("status", "=", "disabled")
    .where("updatedAt", ">", since)
    .execute();
  return rows.map((row) => ({ id: row.id, at: row.updatedAt }));
}
