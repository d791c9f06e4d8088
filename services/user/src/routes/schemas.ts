/** Wire schemas of the user service (validation and the OpenAPI document). */
import { PageQuery } from "@platform/http";
import { t } from "elysia";
import { PASSWORD_MIN_LENGTH } from "../domain/user.js";

const NewPassword = t.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: 128 });
/** E.164: a plus, the country code and the number, 8 to 15 digits in all. */
const Phone = t.String({ pattern: "^\\+[1-9][0-9]{6,14}$", description: "E.164, e.g. +4915112345678" });

export const PublicUserSchema = t.Object({
  id: t.String({ format: "uuid" }),
  email: t.String({ format: "email" }),
  name: t.String(),
  phone: t.Optional(t.String()),
  role: t.Union([t.Literal("user"), t.Literal("admin")]),
  active: t.Boolean(),
  createdAt: t.String({ format: "date-time" }),
});

/**
 * A person's name: trimmed before it is checked (normaliseIdentity), so it needs a character that
 * is not white space — said in the schema too, so a client knows "\v" alone is no name. (\ufeff is
 * listed because JavaScript trims it and other regex dialects do not count it as white space.) A
 * pattern of its own replaces the document's no-NUL one (complete-document.ts), so it says that too.
 */
const Name = t.String({
  minLength: 1,
  maxLength: 100,
  pattern: "^[^\\u0000]*[^\\s\\ufeff\\u0000][^\\u0000]*$",
});

/** What a user may change of their own profile; `phone: null` removes the phone. */
export const ProfileBody = t.Object({
  name: t.Optional(Name),
  phone: t.Optional(t.Nullable(Phone)),
});

/** Which optional channels the user wants (log and WebSocket are always on); PUT sends all three. */
export const NotificationPreferencesSchema = t.Object({
  email: t.Boolean({ description: "order emails" }),
  sms: t.Boolean({ description: "order text messages (when the profile has a phone)" }),
  webhook: t.Boolean({ description: "the shop's webhook for this user's orders" }),
});

export const PasswordBody = t.Object({
  currentPassword: t.String({ minLength: 1, maxLength: 128 }),
  newPassword: NewPassword,
});

export const UserListQuery = t.Object({
  q: t.Optional(t.String({ minLength: 1, maxLength: 100 })),
  role: t.Optional(t.Union([t.Literal("user"), t.Literal("admin")])),
  active: t.Optional(t.Boolean()),
  ...PageQuery,
});

/**
 * What the order service learns of a user (GET /internal/users/{id}): enough to accept an order and
 * to carry the owner's contact details and channel preferences on its events.
 */
export const InternalUserSchema = t.Object({
  id: t.String({ format: "uuid" }),
  email: t.String(),
  name: t.String(),
  phone: t.Optional(t.String()),
  role: t.Union([t.Literal("user"), t.Literal("admin")]),
  active: t.Boolean(),
  notificationPreferences: NotificationPreferencesSchema,
});

/** A JSON Web Key Set: public keys only. */
export const JwksSchema = t.Object({
  keys: t.Array(
    t.Object({ kid: t.Optional(t.String()), kty: t.Optional(t.String()) }, { additionalProperties: true }),
  ),
});

/** What an admin may change of a user; an empty one changes nothing, unknown members are ignored. */
export const UserAccessBody = t.Object({
  role: t.Optional(t.Union([t.Literal("user"), t.Literal("admin")])),
  active: t.Optional(t.Boolean()),
});

export const RegisterBody = t.Object({
  email: t.String({ format: "email", maxLength: 254 }),
  name: Name,
  password: NewPassword,
});

export const LoginBody = t.Object({
  email: t.String({ minLength: 1, maxLength: 254 }),
  password: t.String({ minLength: 1, maxLength: 128 }),
});

export const TokenPairSchema = t.Object({
  accessToken: t.String(),
  tokenType: t.Literal("Bearer"),
  /** Seconds the access token lives. */
  expiresIn: t.Integer(),
  refreshToken: t.String(),
  /** Seconds the session may be refreshed for. */
  refreshExpiresIn: t.Integer(),
});

const RefreshToken = t.String({ minLength: 16, maxLength: 128, pattern: "^[A-Za-z0-9_-]+$" });

export const RefreshBody = t.Object({ refreshToken: RefreshToken });

export const LogoutBody = t.Optional(t.Object({ refreshToken: t.Optional(RefreshToken) }));

/** Trims the email and the name and lower-cases the email before validation. */
export function normaliseIdentity({ body }: { body: unknown }): void {
  if (typeof body !== "object" || body === null) return;
  const fields = body as Record<string, unknown>;
  if (typeof fields.email === "string") fields.email = fields.email.trim().toLowerCase();
  if (typeof fields.name === "string") fields.name = fields.name.trim();
}
