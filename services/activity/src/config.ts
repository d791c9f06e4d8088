/** The activity service's configuration, read once from the environment (see README). */
import {
  consumerSettings,
  Env,
  loadConfigOrExit,
  redisSettings,
  type Static,
  serviceSettings,
  tokenVerificationSettings,
  url,
} from "@platform/config";

export const activityConfigSchema = Env.Object({
  ...serviceSettings(3004),
  MONGO_URL: url(["mongodb", "mongodb+srv"], "mongodb://127.0.0.1:27017"),
  MONGO_DB: Env.String({ pattern: "^[A-Za-z0-9_-]{1,63}$", default: "activity" }),
  ...redisSettings(),
  ...consumerSettings("activity"),
  /** Entries older than this many days are deleted (0: the log is kept for good). */
  ACTIVITY_RETENTION_DAYS: Env.Integer({ minimum: 0, default: 0 }),
  ...tokenVerificationSettings(),
});

export type ActivityConfig = Readonly<Static<typeof activityConfigSchema>>;

export const loadActivityConfig = (env: Record<string, string | undefined> = process.env): ActivityConfig =>
  loadConfigOrExit("activity", activityConfigSchema, env);
