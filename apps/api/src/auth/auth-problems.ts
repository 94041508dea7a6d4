// The two refusals of an API key check, as problem+json with RFC 6750's WWW-Authenticate.
// Neither repeats what the client sent: a secret must never come back in an answer.
import { ApiProblem, ProblemType, problemType } from '../problems';
import type { ApiScope } from './api-key';

/** 401: no key, or one the API does not know. */
export function unauthorized(presented: boolean): ApiProblem {
  const detail = presented
    ? 'The API key in the Authorization header is not one this API knows. Check it, or ask for a key.'
    : 'This call needs an API key: send "Authorization: Bearer <key>".';
  const challenge = presented
    ? 'Bearer realm="distilled", error="invalid_token"'
    : 'Bearer realm="distilled"';
  return new ApiProblem(
    {
      type: problemType(ProblemType.unauthorized),
      title: 'Unauthorized',
      status: 401,
      detail,
    },
    { 'WWW-Authenticate': challenge },
  );
}

/** 403: a known key without the scope this call needs. */
export function forbidden(keyName: string, scope: ApiScope): ApiProblem {
  return new ApiProblem(
    {
      type: problemType(ProblemType.forbidden),
      title: 'Forbidden',
      status: 403,
      detail: `The API key "${keyName}" does not have the ${scope} scope this call needs. Nothing was done.`,
    },
    {
      'WWW-Authenticate': `Bearer realm="distilled", error="insufficient_scope", scope="${scope}"`,
    },
  );
}
