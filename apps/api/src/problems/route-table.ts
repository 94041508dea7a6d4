import type { FastifyInstance } from 'fastify';

/**
 * Which methods each path takes, collected from Fastify's onRoute hook. Fastify answers a known
 * path with an unknown method as "not found"; this table lets the filter answer 405 with an
 * `Allow` header instead. Paths are stored lower-case since routing is case-insensitive.
 */
export class RouteTable {
  private readonly methods = new Map<string, Set<string>>();

  add(url: string, method: string | string[]): void {
    const key = url.toLowerCase();
    const set = this.methods.get(key) ?? new Set<string>();
    for (const one of Array.isArray(method) ? method : [method]) set.add(one.toUpperCase());
    // Fastify serves HEAD for every GET route (exposeHeadRoutes).
    if (set.has('GET')) set.add('HEAD');
    this.methods.set(key, set);
  }

  /** The methods `path` takes, sorted, or [] for an unknown path. */
  allowed(path: string): string[] {
    const set = this.methods.get(path.toLowerCase());
    return set ? [...set].sort() : [];
  }
}

const tables = new WeakMap<FastifyInstance, RouteTable>();

/** Starts recording routes of `instance`; call before the routes are registered. */
export function trackRoutes(instance: FastifyInstance): RouteTable {
  const table = new RouteTable();
  tables.set(instance, table);
  instance.addHook('onRoute', (route) => table.add(route.url ?? route.path, route.method));
  return table;
}

export function routeTableOf(instance: FastifyInstance): RouteTable | undefined {
  return tables.get(instance);
}
