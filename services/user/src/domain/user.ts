/** Users as the service sees them, and as the wire shows them (never with a password hash). */
export type Role = "user" | "admin";
export type UserStatus = "active" | "disabled";

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: UserStatus;
  createdAt: Date;
}

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  createdAt: string;
}

export const toPublicUser = (user: User): PublicUser => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
  active: user.status === "active",
  createdAt: user.createdAt.toISOString(),
});

/** Emails are unique ignoring case and surrounding blanks: " Ann@Example.COM " is ann@example.com. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();
