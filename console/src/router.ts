/**
 * The console's screens (HTML5 history: the gateway answers index.html for any app path). Screens
 * for a logged-in user send others to the login page (and back after); admin screens are for
 * admins only. After each navigation the page's heading takes the focus, so a screen reader starts
 * at the new page, and the document title names it.
 */
import { nextTick } from "vue";
import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";
import { loadUser } from "./api/auth";
import { isAdmin, loggedIn, session } from "./api/session";
import { toast } from "./live/toasts";
import AdminDeadLetters from "./pages/admin/admin-dead-letters.vue";
import AdminLowStock from "./pages/admin/admin-low-stock.vue";
import AdminNotifications from "./pages/admin/admin-notifications.vue";
import AdminOrders from "./pages/admin/admin-orders.vue";
import AdminPage from "./pages/admin/admin-page.vue";
import AdminProducts from "./pages/admin/admin-products.vue";
import AdminUsers from "./pages/admin/admin-users.vue";
import CartPage from "./pages/cart-page.vue";
import CatalogPage from "./pages/catalog-page.vue";
import LoginPage from "./pages/login-page.vue";
import NotFoundPage from "./pages/not-found-page.vue";
import OrderPage from "./pages/order-page.vue";
import OrdersPage from "./pages/orders-page.vue";
import RegisterPage from "./pages/register-page.vue";

declare module "vue-router" {
  interface RouteMeta {
    title?: string;
    requiresAuth?: boolean;
    requiresAdmin?: boolean;
  }
}

const routes: RouteRecordRaw[] = [
  { path: "/", component: CatalogPage, meta: { title: "Catalog" } },
  { path: "/login", component: LoginPage, meta: { title: "Log in" } },
  { path: "/register", component: RegisterPage, meta: { title: "Register" } },
  { path: "/cart", component: CartPage, meta: { title: "Cart" } },
  { path: "/orders", component: OrdersPage, meta: { title: "Orders", requiresAuth: true } },
  { path: "/orders/:id", component: OrderPage, props: true, meta: { title: "Order", requiresAuth: true } },
  {
    path: "/admin",
    component: AdminPage,
    meta: { title: "Admin", requiresAuth: true, requiresAdmin: true },
    children: [
      { path: "", redirect: "/admin/orders" },
      { path: "orders", component: AdminOrders, meta: { title: "Admin: orders" } },
      {
        path: "notifications",
        component: AdminNotifications,
        meta: { title: "Admin: failed notifications" },
      },
      { path: "dead-letters", component: AdminDeadLetters, meta: { title: "Admin: dead letters" } },
      { path: "products", component: AdminProducts, meta: { title: "Admin: products" } },
      { path: "low-stock", component: AdminLowStock, meta: { title: "Admin: low stock" } },
      { path: "users", component: AdminUsers, meta: { title: "Admin: users" } },
    ],
  },
  { path: "/:unknown(.*)*", component: NotFoundPage, meta: { title: "Not found" } },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

router.beforeEach(async (to) => {
  if (to.meta.requiresAuth && !loggedIn.value) return { path: "/login", query: { redirect: to.fullPath } };
  if (to.meta.requiresAdmin) {
    if (!session.user) await loadUser();
    if (!loggedIn.value) return { path: "/login", query: { redirect: to.fullPath } };
    if (!isAdmin.value) {
      toast("That page is for admins.");
      return { path: "/" };
    }
  }
  return true;
});

router.afterEach(async (to, from, failure) => {
  if (failure) return;
  document.title = `${to.meta.title ?? "Order console"} · Order console`;
  // Not on the first page load (the browser starts at the top of the page anyway), nor when only
  // the query changed (the catalog's search keeps its text in the address as one types).
  if (from.matched.length === 0 || to.path === from.path) return;
  await nextTick();
  const heading = document.querySelector<HTMLElement>("main h1");
  if (!heading) return;
  heading.tabIndex = -1;
  heading.focus();
});
