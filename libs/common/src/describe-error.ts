// What to print for a thrown value: an Error's message, or the value itself. Code catches
// `unknown`, and logs and problem details want one sentence, never "[object Object]".
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
