// Per-client rate limits with @fastify/rate-limit, as a root onRequest hook: a request over its
// limit is refused right after routing, before its body is read, parsed or validated and before
// any guard or replica sees it, so a refusal costs a hash of its key and stores nothing. The
// limit counts requests in fixed windows of DISTILLED_API_RATE_LIMIT_WINDOW_MS in this API
// process's memory (the plugin's LRU store): an API restarted, or several APIs, each count
// afresh. The 429 is problem+json through the one exception filter; the plugin sets
// Retry-After and the RateLimit-* headers (IETF draft names) on it, and the RateLimit-* ones on
// every limited answer.
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiConfig } from '../config';
import { RATE_LIMIT_CLIENTS } from '../constants';
import { rateLimited } from '../problems';
import { RateLimitSubjects, type RateLimitSubject } from './rate-limit-subjects';
import { isUnlimitedRoute } from './unlimited-routes';

type RateLimitConfig = Pick<ApiConfig, 'rateLimit' | 'rateLimitWindowMs' | 'apiKeys'>;
type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Adds the limiter when any limit is configured (else nothing: no cost when unset). */
export function registerRateLimits(instance: FastifyInstance, config: RateLimitConfig): boolean {
  if (!RateLimitSubjects.anyLimit(config)) return false;
  const subjects = new RateLimitSubjects(config);
  // The plugin asks for the key, then whether it is exempt, then its limit, then (when over)
  // for the error: the subject is worked out once per request and kept here for the rest.
  const subjectOf = new WeakMap<FastifyRequest, RateLimitSubject>();
  const subject = (request: FastifyRequest): RateLimitSubject => {
    let found = subjectOf.get(request);
    if (found === undefined) {
      found = subjects.of({ ip: request.ip, authorization: request.headers.authorization });
      subjectOf.set(request, found);
    }
    return found;
  };
  void instance.register(fastifyRateLimit, {
    global: false,
    timeWindow: config.rateLimitWindowMs,
    cache: RATE_LIMIT_CLIENTS,
    enableDraftSpec: true,
    keyGenerator: (request) => subject(request).id,
    allowList: (request) =>
      isUnlimitedRoute(request.routeOptions.url) || subject(request).limit === null,
    max: (request) => subject(request).limit ?? Number.MAX_SAFE_INTEGER,
    errorResponseBuilder: (request, context) =>
      rateLimited(
        subject(request).label,
        context.max,
        config.rateLimitWindowMs,
        Math.max(1, Math.ceil(context.ttl / 1000)),
      ),
  });
  // instance.rateLimit exists once the plugin has loaded, which Fastify does before it serves
  // the first request; hooks added here still apply to every route, whenever it is registered.
  let limit: Hook | undefined;
  instance.addHook('onRequest', (request, reply) => {
    limit ??= instance.rateLimit() as Hook;
    return limit(request, reply);
  });
  return true;
}
