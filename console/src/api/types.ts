/** The wire shapes the console shows, taken from the generated client's types (never redeclared). */
import type { paths } from "@platform/api-client";

type Json<T> = T extends { content: { "application/json": infer Body } } ? Body : never;
type PageOf<T> = T extends { items: Array<infer Item> } ? Item : never;

export type User = Json<paths["/api/users/me"]["get"]["responses"][200]>;
export type Product = PageOf<Json<paths["/api/products"]["get"]["responses"][200]>>;
export type ProductSort = NonNullable<
  NonNullable<paths["/api/products"]["get"]["parameters"]["query"]>["sort"]
>;
export type Order = Json<paths["/api/orders/{id}"]["get"]["responses"][200]>;
export type OrderStatus = Order["status"];
export type ActivityEntry = PageOf<Json<paths["/api/activity"]["get"]["responses"][200]>>;
export type Notification = PageOf<Json<paths["/api/notifications"]["get"]["responses"][200]>>;
export type Payment = Json<paths["/api/orders/{id}/payment"]["post"]["responses"][201]>;
export type TokenPair = Json<paths["/api/auth/login"]["post"]["responses"][200]>;
export type ProductPatch = NonNullable<
  paths["/api/products/{sku}"]["patch"]["requestBody"]
>["content"]["application/json"];
export type DeadLetter = PageOf<Json<paths["/api/admin/dead-letters"]["get"]["responses"][200]>>;
export type DeadLetterStream = paths["/api/admin/dead-letters"]["get"]["parameters"]["query"]["stream"];

/** A page of a list: `{ items, nextCursor }` (ARCHITECTURE §5). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
