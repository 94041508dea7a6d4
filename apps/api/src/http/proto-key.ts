// JSON.parse turns a "__proto__" key into an own property (no prototype is changed), but
// class-transformer then assigns it to the DTO, which drops it from sight: whitelisting never
// sees the unknown field and the body was accepted. Refusing it here keeps the rule "unknown
// fields are 400" true for that name too, at any depth.
import { invalidRequest, type ApiProblem } from '../problems';

/** A 400 problem when the parsed body holds an own "__proto__" key anywhere, else null. */
export function protoKeyProblem(body: unknown): ApiProblem | null {
  // Iterative: the parser has refused deep or wide bodies already, this only must not recurse.
  const pending: unknown[] = [body];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (!Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, '__proto__')) {
      return invalidRequest([
        {
          field: '__proto__',
          in: 'body',
          detail: '__proto__ is not a known field of the body; remove it.',
        },
      ]);
    }
    pending.push(...Object.values(value));
  }
  return null;
}
