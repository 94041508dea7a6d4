import { AsyncResource } from 'node:async_hooks';

/**
 * Node 20's `AsyncResource.prototype.bind` hangs a deprecated `asyncResource` accessor (DEP0172)
 * on every function it returns, built through `util.deprecate`, which also rewrites the
 * accessor functions' prototypes. Fastify binds one function per request body, so on Node 20
 * that accessor cost the API about half of its CPU per POST (40 → 21 µs measured with
 * `npm run bench -- api`), mostly in garbage collection. Node 25 no longer adds the property
 * (nodejs/node#58618; Node 24 adds it without rewriting prototypes); this gives older Nodes
 * Node 25's `bind`: the same wrapper, the same `length`, no `asyncResource`. Nothing in this
 * process reads that property (checked across node_modules; an APM agent might: check again
 * before adding one, or start the API with DISTILLED_API_LEAN_ASYNC_BIND=off).
 *
 * Returns true when it replaced `bind`, false when this Node's `bind` adds no such property
 * (a newer Node, or already replaced).
 */
export function useLeanAsyncResourceBind(): boolean {
  if (!bindAddsDeprecatedProperty()) return false;
  const original = AsyncResource.prototype.bind;
  const lean = function bind<Func extends (...args: never[]) => unknown>(
    this: AsyncResource,
    fn: Func,
    thisArg?: unknown,
  ): Func {
    // Node's own checks and error (ERR_INVALID_ARG_TYPE) for what is not a function.
    if (typeof fn !== 'function') return original.call(this, fn) as unknown as Func;
    const target = fn as unknown as (...args: unknown[]) => unknown;
    let bound: (...args: unknown[]) => unknown;
    if (thisArg === undefined) {
      // As Node does: runInAsyncScope is looked up on each call (a subclass or an agent may
      // replace it later), and the caller's `this` is passed through.
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const resource = this;
      bound = function (this: unknown, ...args: unknown[]): unknown {
        return resource.runInAsyncScope(target, this, ...args);
      };
    } else {
      bound = this.runInAsyncScope.bind(this, target, thisArg);
    }
    Object.defineProperty(bound, 'length', { configurable: true, value: fn.length });
    return bound as unknown as Func;
  };
  Object.defineProperty(AsyncResource.prototype, 'bind', {
    configurable: true,
    writable: true,
    value: lean,
  });
  return true;
}

function bindAddsDeprecatedProperty(): boolean {
  const bound = new AsyncResource('distilled:probe').bind(() => undefined);
  return Object.getOwnPropertyDescriptor(bound, 'asyncResource') !== undefined;
}
