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

export const UserAccessBody = t.Object(
  {
    role: t.Optional(t.Union([t.Literal("user"), t.Literal("admin")])),
    active: t.Optional(t.Boolean()),
  },
  { minProperties: 1, additionalProperties: false },
);

export const RegisterBody = t.Object({
  email: t.String({ format: "email", maxLength: 254 }),
  name: t.String({ minLength: 1, maxLength: 100 }),
  password: t.String({ minLength: 8, maxLength: 128 }),
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
