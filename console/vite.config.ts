/**
 * The console's build and dev server. In development the app is served by Vite and every `/api`
 * call (the WebSocket included) goes to the gateway, so the app speaks same-origin as it does when
 * the gateway serves the built files (`vite build` → console/dist, which the gateway serves at `/`).
 */
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

const gateway = process.env.GATEWAY_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [vue()],
  server: {
    proxy: {
      // The more specific path first: the WebSocket upgrade must be proxied as one.
      "/api/ws": { target: gateway, ws: true, changeOrigin: true },
      "/api": { target: gateway, changeOrigin: true },
    },
  },
});
