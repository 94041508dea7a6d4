// A configuration value an app cannot start with. Its message is the one line an operator sees
// before the process exits with code 1, so it names the variable first, then the rule, then
// the value given: `DISTILLED_GRPC_PORT: must be a whole number from 1 to 65535 (got "abc")`.
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
    readonly value: string,
  ) {
    super(`${variable}: ${reason} (got "${value}")`);
    this.name = 'ConfigError';
  }
}
