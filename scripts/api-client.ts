/**
 * Regenerates the typed client's types (shared/api-client/src/gen/public-api.ts) from the gateway's
 * public OpenAPI document, on a platform of its own. Run it after changing a route; the end-to-end
 * suite fails while the committed file is stale.
 *
 *   bun scripts/api-client.ts
 */

import { startPlatform } from "../services/gateway/test/e2e/platform.js";
import { GENERATED_FILE, generateTypes } from "../shared/api-client/src/generate.js";

const platform = await startPlatform();
try {
  const document = await (await fetch(`${platform.gateway}/docs/openapi.json`)).json();
  await Bun.write(GENERATED_FILE, await generateTypes(document));
  console.log(`wrote ${GENERATED_FILE.pathname}`);
} finally {
  await platform.stop();
}
