// The global guard (APP_GUARD): every Nest route needs the scope requiredScope gives it, from
// a key in `Authorization: Bearer`, whenever DISTILLED_API_KEYS_FILE is set. Fastify's own
// routes (Swagger UI and /docs-json) never reach a guard, so the documentation stays open.
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { apiConfig, type ApiConfig } from '../config';
import type { ApiKey } from './api-key';
import { ApiKeys, bearerToken } from './api-keys';
import { forbidden, unauthorized } from './auth-problems';
import { AUTH_SCOPE, requiredScope, type RouteScope } from './scope.decorator';

/** The key a request was let in with, for what comes after (per-key limits, logs). */
export type AuthenticatedRequest = FastifyRequest & { apiKey?: ApiKey };

@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: ApiKeys | null;

  constructor(
    private readonly reflector: Reflector,
    @Inject(apiConfig.KEY) config: ApiConfig,
  ) {
    this.keys = config.apiKeys ? new ApiKeys(config.apiKeys) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.keys === null) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const declared = this.reflector.getAllAndOverride<RouteScope | undefined>(AUTH_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const scope = requiredScope(request.method, declared);
    if (scope === 'public') return true;
    const header = request.headers.authorization;
    const token = bearerToken(header);
    const key = token === null ? null : this.keys.find(token);
    if (key === null) throw unauthorized(header !== undefined);
    if (!key.scopes.has(scope)) throw forbidden(key.name, scope);
    request.apiKey = key;
    return true;
  }
}
