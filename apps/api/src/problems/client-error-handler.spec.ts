import type { Socket } from 'node:net';
import { problemClientErrorHandler } from './client-error-handler';

function fakeSocket() {
  return { destroyed: false, writable: true, write: jest.fn(), destroy: jest.fn() };
}

describe('problemClientErrorHandler', () => {
  it.each<[string, number]>([
    ['ERR_HTTP_REQUEST_TIMEOUT', 408],
    ['HPE_HEADER_OVERFLOW', 431],
    ['HPE_INVALID_METHOD', 400],
  ])('answers %s with a %i problem and closes the connection', (code, status) => {
    const socket = fakeSocket();
    problemClientErrorHandler(
      Object.assign(new Error(code), { code }),
      socket as unknown as Socket,
    );
    const raw = socket.write.mock.calls[0][0] as string;
    expect(raw).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(raw).toContain('Content-Type: application/problem+json');
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    expect(Buffer.byteLength(body)).toBe(Number(/Content-Length: (\d+)/.exec(raw)?.[1]));
    expect(JSON.parse(body)).toMatchObject({
      status,
      type: expect.any(String),
      detail: expect.any(String),
    });
    expect(socket.destroy).toHaveBeenCalled();
  });

  it('writes nothing on a connection reset', () => {
    const socket = fakeSocket();
    problemClientErrorHandler(
      Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      socket as unknown as Socket,
    );
    expect(socket.write).not.toHaveBeenCalled();
  });

  it('only closes the connection when an answer on it has already begun', () => {
    const socket = { ...fakeSocket(), _httpMessage: { headersSent: true } };
    problemClientErrorHandler(
      Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }),
      socket as unknown as Socket,
    );
    expect(socket.write).not.toHaveBeenCalled();
    expect(socket.destroy).toHaveBeenCalled();
  });
});
