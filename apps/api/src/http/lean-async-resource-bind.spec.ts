import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import { useLeanAsyncResourceBind } from './lean-async-resource-bind';

describe('useLeanAsyncResourceBind', () => {
  // The replacement lives on a shared Node prototype: put the original back for other specs.
  const original = Object.getOwnPropertyDescriptor(AsyncResource.prototype, 'bind')!;
  afterAll(() => {
    Object.defineProperty(AsyncResource.prototype, 'bind', original);
    for (const key of Object.getOwnPropertySymbols(AsyncResource.prototype)) {
      delete (AsyncResource.prototype as unknown as Record<symbol, unknown>)[key];
    }
  });

  beforeAll(() => {
    useLeanAsyncResourceBind();
  });

  it('installs once: a second call changes nothing', () => {
    const bind = AsyncResource.prototype.bind;
    expect(useLeanAsyncResourceBind()).toBe(false);
    expect(AsyncResource.prototype.bind).toBe(bind);
  });

  it('returns functions without the deprecated asyncResource property', () => {
    const bound = new AsyncResource('test').bind(() => 1);
    expect(Object.getOwnPropertyNames(bound)).not.toContain('asyncResource');
  });

  it('runs the function in the resource’s async scope, with its this and arguments', () => {
    const storage = new AsyncLocalStorage<string>();
    const { resource, bound } = storage.run('at bind time', () => {
      const resource = new AsyncResource('test');
      const bound = resource.bind(function (this: unknown, a: number, b: number) {
        return { self: this, sum: a + b, id: executionAsyncId(), store: storage.getStore() };
      });
      return { resource, bound };
    });
    const self = { name: 'caller' };
    const result = storage.run('at call time', () => bound.call(self, 2, 3));
    expect(result).toEqual({
      self,
      sum: 5,
      id: resource.asyncId(),
      store: 'at bind time',
    });
  });

  it('binds this when given thisArg, and keeps the function’s length', () => {
    const owner = { base: 10 };
    const resource = new AsyncResource('test');
    // @types/node leaves thisArg out of bind's signature; Node has taken it since 14.8.
    const bindWithThis = resource.bind as unknown as <F>(fn: F, thisArg: unknown) => F;
    const bound = bindWithThis.call(
      resource,
      function (this: typeof owner, a: number, _b?: number) {
        return this.base + a;
      },
      owner,
    ) as (a: number, b?: number) => number;
    expect(bound(1)).toBe(11);
    expect(bound.length).toBe(2);
    expect(resource.bind((_x: number) => 0).length).toBe(1);
  });

  it('lets errors thrown by the function reach the caller', () => {
    const bound = new AsyncResource('test').bind(() => {
      throw new Error('boom');
    });
    expect(() => bound()).toThrow('boom');
  });

  it('refuses what is not a function, as Node does', () => {
    expect(() => new AsyncResource('test').bind(42 as never)).toThrow(TypeError);
  });
});
