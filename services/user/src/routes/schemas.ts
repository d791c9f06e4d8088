/** Wire schemas of the user service (validation and the OpenAPI document). */
import { t } from "elysia";

export const PublicUserSchema = t.Object({
  id: t.String({ format: "uuid" }),
  email: t.String({ format: "email" }),
  name: t.String(),
  role: t.Union([t.Literal("user"), t.Literal("admin")]),
  active: t.Boolean(),
  createdAt: t.String({ format: "date-time" }),
});

/** What the order service learns of a user (GET /internal/users/{id}). */
export const InternalUserSchema = t.Object({
  id: t.String({ format: "uuid" }),
  email: t.String(),
  name: t.String(),
  role: t.Union([t.Literal("user"), t.Literal("admin")]),
  active: t.Boolean(),
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

export const PASSWORD_MIN_LENGTH = 8;

export const RegisterBody = t.Object({
  email: t.String({ format: "email", maxLength: 254 }),
  name: t.String({ minLength: 1, maxLength: 100 }),
  password: t.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: 128 }),
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
