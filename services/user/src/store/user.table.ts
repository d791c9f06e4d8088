import type { ColumnType, Generated, Selectable } from "kysely";
import type { Role, UserStatus } from "../domain/user.js";

export interface UserTable {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  phone: string | null;
  notifyEmail: Generated<boolean>;
  notifySms: Generated<boolean>;
  notifyWebhook: Generated<boolean>;
  role: Role;
  status: Generated<UserStatus>;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
}

/** One login: the family of its refresh tokens (ARCHITECTURE §5). */
export interface SessionTable {
  id: string;
  userId: string;
  createdAt: ColumnType<Date, never, never>;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface RefreshTokenTable {
  tokenHash: string;
  sessionId: string;
  createdAt: ColumnType<Date, never, never>;
  usedAt: Date | null;
}

export interface UserDatabase {
  user: UserTable;
  session: SessionTable;
  refreshToken: RefreshTokenTable;
}

export type UserRow = Selectable<UserTable>;
