// The routes no rate limit applies to: what load balancers, orchestrators and people need to
// see a limited client's trouble (health checks, the API's documentation, the console's page
// and its assets). They are cheap, touch no replica's log, and need no key either. The console's
// data (/ui/events), /Cluster and /metrics are counted like the data calls.
const UNLIMITED = [/^\/health(\/|$)/, /^\/docs(\/|-|$)/, /^\/ui\/?$/, /^\/ui\/assets\//];

/** `routeUrl` is the matched route's pattern (Fastify's routeOptions.url), any case. */
export function isUnlimitedRoute(routeUrl: string | undefined): boolean {
  if (routeUrl === undefined) return false;
  const path = routeUrl.toLowerCase();
  return UNLIMITED.some((pattern) => pattern.test(path));
}
