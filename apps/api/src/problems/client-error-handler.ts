import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem-details';
import { badRequest, headersTooLarge, requestTimeout } from './problems';

/**
 * Node rejects some requests before Fastify or Nest see them (headers over the size limit, a
 * request whose headers or body trickle in past their timeout, bad framing such as both
 * Content-Length and Transfer-Encoding, bytes that are not HTTP). Fastify's
 * `clientErrorHandler` writes the answer on the raw socket; this one writes the same
 * problem+json as everything else, unless an answer on that connection has already begun
 * (writing then would corrupt it; the connection is only closed, as Node does).
 */
export function problemClientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  let problem: ProblemDetails;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') problem = requestTimeout().problem;
  else if (error.code === 'HPE_HEADER_OVERFLOW') problem = headersTooLarge().problem;
  else
    problem = badRequest(
      400,
      'Bad request',
      'The request is not valid HTTP/1.1 and could not be read.',
    ).problem;
  const body = JSON.stringify(problem);
  if (socket.writable && !answerStarted(socket)) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}

/** Node's own test before it answers a client error: is a response on this socket under way? */
function answerStarted(socket: Socket): boolean {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })
    ._httpMessage;
  return inFlight?.headersSent === true;
}
