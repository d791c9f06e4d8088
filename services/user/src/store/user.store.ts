/** Users in Postgres: plain functions taking the database first. */
import { isUniqueViolation } from "@platform/db";
import { AppError } from "@platform/errors";
import type { Kysely } from "kysely";
import type { Role, User, UserStatus } from "../domain/user.js";
import type { UserDatabase, UserRow } from "./user.table.js";

export type UserDb = Kysely<UserDatabase>;

const toUser = (row: Omit<UserRow, "passwordHash" | "updatedAt">): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  status: row.status,
  createdAt: row.createdAt,
});

const PUBLIC_COLUMNS = ["id", "email", "name", "role", "status", "createdAt"] as const;

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

/** Changes a user's role or status; the user as it is now, or undefined when there is none. */
export async function updateAccess(
  db: UserDb,
  id: string,
  change: { role?: Role; status?: UserStatus },
): Promise<User | undefined> {
  const row = await db
    .updateTable("user")
    .set({ ...change, updatedAt: new Date() })
    .where("id", "=", id)
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirst();
  return row && toUser(row);
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
