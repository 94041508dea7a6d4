// Who a request counts against, and how many requests per window that one may make. With API
// keys on, a request that presents a known key counts against the key's name (so a key used
// from many machines has one budget) with the key's own limit if the keys file gives one; every
// other request (no key, an unknown key, or keys off) counts against its client address with
// DISTILLED_API_RATE_LIMIT, so guessing keys is limited too. Pure: the Fastify wiring is in
// register-rate-limits.ts.
import { normalizeIP } from '@fastify/rate-limit';
import type { ApiKey } from '../auth/api-key';
import { ApiKeys, bearerToken } from '../auth/api-keys';

export interface RateLimitSubject {
  /** The limiter's key: `key:<name>` or `ip:<address>` (IPv6 by its /64, as the plugin does). */
  id: string;
  /** How the 429's sentence names it. */
  label: string;
  /** Requests per window, or null: not limited. */
  limit: number | null;
}

export interface RateLimitSettings {
  /** DISTILLED_API_RATE_LIMIT, or null. */
  rateLimit: number | null;
  apiKeys: readonly ApiKey[] | null;
}

export class RateLimitSubjects {
  private readonly keys: ApiKeys | null;

  constructor(private readonly settings: RateLimitSettings) {
    this.keys = settings.apiKeys ? new ApiKeys(settings.apiKeys) : null;
  }

  /** Whether any request can be limited at all: if not, the limiter need not run. */
  static anyLimit(settings: RateLimitSettings): boolean {
    return (
      settings.rateLimit !== null ||
      (settings.apiKeys ?? []).some((key) => typeof key.rateLimit === 'number')
    );
  }

  of(request: { ip: string; authorization: string | undefined }): RateLimitSubject {
    const key = this.keyOf(request.authorization);
    if (key !== null) {
      const own = key.rateLimit;
      return {
        id: `key:${key.name}`,
        label: `The API key "${key.name}"`,
        limit: own === 'off' ? null : (own ?? this.settings.rateLimit),
      };
    }
    const address = normalizeIP(request.ip);
    return {
      id: `ip:${address}`,
      label:
        this.keys === null
          ? `The client at ${address}`
          : `The client at ${address}, without a known API key,`,
      limit: this.settings.rateLimit,
    };
  }

  private keyOf(authorization: string | undefined): ApiKey | null {
    if (this.keys === null) return null;
    const token = bearerToken(authorization);
    return token === null ? null : this.keys.find(token);
  }
}
