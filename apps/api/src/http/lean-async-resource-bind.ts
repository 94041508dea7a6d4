import { AsyncResource } from 'node:async_hooks';

/**
 * Node 20's `AsyncResource.prototype.bind` hangs a deprecated `asyncResource` accessor (DEP0172)
 * on every function it returns, built through `util.deprecate`, which also rewrites the
 * accessor functions' prototypes. Fastify binds one function per request body, so on Node 20
 * that accessor cost the API about half of its CPU per POST (40 → 21 µs measured with
 * `npm run bench -- api`), mostly in garbage collection. Node 24 and later no longer add the
 * property (nodejs/node#58618); this gives Node 20 the same `bind`: the same wrapper, the same
 * `length`, no `asyncResource`. Nothing in this process reads that property (checked across
 * node_modules), and reading it would only have printed a deprecation warning.
 *
 * Returns true when it replaced `bind`, false when this Node's `bind` adds no such property.
 */
export function useLeanAsyncResourceBind(): boolean {
  const proto = AsyncResource.prototype as AsyncResource & { [leanBind]?: true };
  if (proto[leanBind] || !bindAddsDeprecatedProperty()) return false;
  const lean = function bind<Func extends (...args: never[]) => unknown>(
    this: AsyncResource,
    fn: Func,
    thisArg?: unknown,
  ): Func {
    if (typeof fn !== 'function') {
      throw new TypeError(`The "fn" argument must be of type function. Received ${typeof fn}`);
    }
    const target = fn as unknown as (...args: unknown[]) => unknown;
    const run = this.runInAsyncScope.bind(this);
    const bound =
      thisArg === undefined
        ? function (this: unknown, ...args: unknown[]): unknown {
            return run(target, this, ...args);
          }
        : run.bind(undefined, target, thisArg);
    Object.defineProperty(bound, 'length', { configurable: true, value: fn.length });
    return bound as unknown as Func;
  };
  Object.defineProperty(proto, 'bind', { configurable: true, writable: true, value: lean });
  Object.defineProperty(proto, leanBind, { configurable: true, value: true });
  return true;
}

const leanBind = Symbol('distilled.leanAsyncResourceBind');

function bindAddsDeprecatedProperty(): boolean {
  const bound = new AsyncResource('distilled:probe').bind(() => undefined);
  return Object.getOwnPropertyDescriptor(bound, 'asyncResource') !== undefined;
}
