import type { ColumnType, Generated, Selectable } from "kysely";
import type { Role, UserStatus } from "../domain/user.js";

export interface UserTable {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  role: Role;
  status: Generated<UserStatus>;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
}

export interface UserDatabase {
  user: UserTable;
}

export type UserRow = Selectable<UserTable>;
