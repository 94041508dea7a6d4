/**
 * A configuration problem found at boot. Its message is the one line an operator sees before
 * the process exits with code 1 (DESIGN.md part A), so it names the variable and the fix.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
