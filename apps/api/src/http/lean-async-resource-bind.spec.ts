import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import { useLeanAsyncResourceBind } from './lean-async-resource-bind';

/** @types/node leaves thisArg out of bind's signature; Node has taken it since 14.8. */
type BindWithThis = <F>(this: AsyncResource, fn: F, thisArg: unknown) => F;

describe('useLeanAsyncResourceBind', () => {
  // The replacement lives on a shared Node prototype: put the original back for other specs.
  const original = Object.getOwnPropertyDescriptor(AsyncResource.prototype, 'bind')!;
  afterAll(() => Object.defineProperty(AsyncResource.prototype, 'bind', original));

  let installed: boolean;
  beforeAll(() => {
    installed = useLeanAsyncResourceBind();
  });

  it('replaces bind on this Node (20), and only once', () => {
    expect(installed).toBe(true);
    expect(AsyncResource.prototype.bind).not.toBe(original.value);
    const bind = AsyncResource.prototype.bind;
    expect(useLeanAsyncResourceBind()).toBe(false);
    expect(AsyncResource.prototype.bind).toBe(bind);
  });

  it('returns functions without the deprecated asyncResource property', () => {
    const bound = new AsyncResource('test').bind(() => 1);
    expect(Object.getOwnPropertyNames(bound)).not.toContain('asyncResource');
    expect(Object.getOwnPropertyNames(AsyncResource.bind(() => 1))).not.toContain('asyncResource');
  });

  it('runs the function in the resource’s async scope, with the caller’s this and arguments', () => {
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
    expect(result).toEqual({ self, sum: 5, id: resource.asyncId(), store: 'at bind time' });
  });

  it('with thisArg: runs in the resource’s scope and thisArg wins over the caller’s this', () => {
    const storage = new AsyncLocalStorage<string>();
    const owner = { base: 10 };
    const { resource, bound } = storage.run('at bind time', () => {
      const resource = new AsyncResource('test');
      const fn = function (this: typeof owner, a: number, _b?: number) {
        return { value: this.base + a, id: executionAsyncId(), store: storage.getStore() };
      };
      const bound = (resource.bind as unknown as BindWithThis).call<
        AsyncResource,
        [typeof fn, unknown],
        typeof fn
      >(resource, fn, owner);
      return { resource, bound };
    });
    const result = storage.run('at call time', () => bound.call({ base: 1000 }, 1));
    expect(result).toEqual({ value: 11, id: resource.asyncId(), store: 'at bind time' });
    expect(bound.length).toBe(2);
  });

  it('keeps the function’s length, and the static AsyncResource.bind uses it too', () => {
    expect(new AsyncResource('test').bind((_x: number) => 0).length).toBe(1);
    const storage = new AsyncLocalStorage<string>();
    const bound = storage.run('at bind time', () =>
      AsyncResource.bind((a: number, b: number) => `${storage.getStore()} ${a + b}`),
    );
    expect(bound.length).toBe(2);
    expect(storage.run('at call time', () => bound(1, 2))).toBe('at bind time 3');
  });

  it('looks up runInAsyncScope at call time, as Node does', () => {
    const resource = new AsyncResource('test');
    const bound = resource.bind(() => 'original');
    resource.runInAsyncScope = (() => 'replaced') as AsyncResource['runInAsyncScope'];
    expect(bound()).toBe('replaced');
  });

  it('lets errors thrown by the function reach the caller', () => {
    const bound = new AsyncResource('test').bind(() => {
      throw new Error('boom');
    });
    expect(() => bound()).toThrow('boom');
  });

  it('refuses what is not a function with Node’s own error', () => {
    expect(() => new AsyncResource('test').bind(42 as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }) as Error,
    );
  });
});
