// Which scope a route needs. Undecorated routes need `read` for GET and HEAD and `write` for
// every other method (requiredScope), so a route added later is secured without an edit;
// `@AuthScope('public')` opens one (the health checks), and the scope also lands in the
// OpenAPI document as `x-distilled-scope`, where swagger.ts reads it.
import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { ApiScope } from './api-key';

export type RouteScope = ApiScope | 'public';
export const AUTH_SCOPE = 'distilled:auth-scope';
export const SCOPE_EXTENSION = 'x-distilled-scope';

export function AuthScope(scope: RouteScope): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(AUTH_SCOPE, scope), ApiExtension(SCOPE_EXTENSION, scope));
}

/** The scope a route needs: its decorator's, else read for GET/HEAD and write for the rest. */
export function requiredScope(method: string, declared: RouteScope | undefined): RouteScope {
  if (declared !== undefined) return declared;
  const upper = method.toUpperCase();
  return upper === 'GET' || upper === 'HEAD' ? 'read' : 'write';
}
