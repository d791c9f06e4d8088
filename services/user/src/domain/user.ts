/** Users as the service sees them, and as the wire shows them (never with a password hash). */
import { validationFailed } from "@platform/errors";

export type Role = "user" | "admin";
export type UserStatus = "active" | "disabled";

export interface User {
  id: string;
  email: string;
  name: string;
  /** E.164, for the sms channel; null when the user gave none. */
  phone: string | null;
  role: Role;
  status: UserStatus;
  notificationPreferences: NotificationPreferences;
  createdAt: Date;
}

/** Which optional channels the user wants; the log and the WebSocket push are always on. */
export interface NotificationPreferences {
  email: boolean;
  sms: boolean;
  webhook: boolean;
}

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  phone?: string;
  role: Role;
  active: boolean;
  createdAt: string;
}

export const toPublicUser = (user: User): PublicUser => ({
  id: user.id,
  email: user.email,
  name: user.name,
  ...(user.phone ? { phone: user.phone } : {}),
  role: user.role,
  active: user.status === "active",
  createdAt: user.createdAt.toISOString(),
});

/** Emails are unique ignoring case and surrounding blanks: " Ann@Example.COM " is ann@example.com. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export const PASSWORD_MIN_LENGTH = 8;

/**
 * A new password has at least PASSWORD_MIN_LENGTH characters. Counted as characters, as JSON
 * Schema's minLength is (the schema validator counts UTF-16 units, so "񲙯" would count twice).
 */
export function assertPasswordLength(password: string, field: string): void {
  if ([...password].length >= PASSWORD_MIN_LENGTH) return;
  throw validationFailed(`The password needs at least ${PASSWORD_MIN_LENGTH} characters.`, [
    { field, message: `must have at least ${PASSWORD_MIN_LENGTH} characters` },
  ]);
}
