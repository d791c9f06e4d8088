/** The console: the app, its router, the live socket, and what happens when a session ends. */
import { createApp } from "vue";
import { loadUser } from "./api/auth";
import { onSessionEnded } from "./api/call";
import { session } from "./api/session";
import App from "./app.vue";
import { startNotificationSocket } from "./live/notification-socket";
import { toast } from "./live/toasts";
import { router } from "./router";
import "./styles.css";

onSessionEnded(() => {
  toast("Your session has ended. Log in again.");
  const here = router.currentRoute.value;
  if (here.path !== "/login") void router.push({ path: "/login", query: { redirect: here.fullPath } });
});

// The name and role may have changed since this tab last read them (an admin changed the role).
if (session.accessToken) void loadUser();

startNotificationSocket();
createApp(App).use(router).mount("#app");
