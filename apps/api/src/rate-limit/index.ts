export { registerRateLimits } from './register-rate-limits';
export { RateLimitSubjects } from './rate-limit-subjects';
export type { RateLimitSubject, RateLimitSettings } from './rate-limit-subjects';
export { isUnlimitedRoute } from './unlimited-routes';
export { documentRateLimits } from './document-rate-limits';
