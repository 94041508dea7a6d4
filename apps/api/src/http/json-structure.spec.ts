import { jsonStructureProblem, type JsonStructureLimits } from './json-structure';

const limits: JsonStructureLimits = { depth: 4, objectFields: 5, values: 40 };
const check = (text: string, given = limits) => jsonStructureProblem(Buffer.from(text), given);
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const fields = (count: number) =>
  `{${Array.from({ length: count }, (_, i) => `"k${i}":${i}`).join(',')}}`;

describe('jsonStructureProblem', () => {
  it.each<[string, string]>([
    ['an ordinary body', '{"message": "hello, world"}'],
    ['exactly the depth limit', `{"message": ${nested(3)}}`],
    ['siblings do not add depth', `[${Array(8).fill('[[]]').join(',')}]`],
    ['brackets and commas inside a string', `{"message": "${'[{,'.repeat(500)}"}`],
    ['an escaped quote keeps the string open', `{"m": "\\"${'[,'.repeat(50)}"}`],
    ['exactly the field limit', fields(5)],
    ['fields spread over several objects', `[${fields(5)},${fields(5)},${fields(5)}]`],
    ['closers before openers (invalid JSON, left to JSON.parse)', `${']'.repeat(20)}${nested(4)}`],
    ['multi-byte text around brackets', '{"é": [[["日本"]]], "ü": "[[[[[[,,,,,,,,"}'],
  ])('lets %s through', (_name, text) => {
    expect(check(text)).toBeNull();
  });

  it.each<[string, string, RegExp]>([
    ['one level over the depth limit', `{"message": ${nested(4)}}`, /more than 4 levels/],
    ['objects nest like arrays', '{"a":{"b":{"c":{"d":{}}}}}', /more than 4 levels/],
    [
      'an escaped backslash closes the string',
      `{"m": "\\\\", "n": ${nested(5)}}`,
      /more than 4 levels/,
    ],
    ['one field over the limit', fields(6), /more than 5 fields/],
    ['too many fields in an inner object', `[1, {"a": ${fields(6)}}]`, /more than 5 fields/],
    ['too many values in all', `[${Array(40).fill(1).join(',')}]`, /more than 40 JSON values/],
  ])('refuses %s', (_name, text, reason) => {
    expect(check(text)).toMatch(reason);
  });

  it('settles a body of a million levels or keys quickly, without recursion', () => {
    const real: JsonStructureLimits = { depth: 32, objectFields: 64, values: 10_100 };
    const bodies: [Buffer, RegExp][] = [
      [Buffer.from(`{"message": ${nested(1_000_000)}}`), /32 levels/],
      [Buffer.from(fields(1_000_000)), /64 fields/],
      [Buffer.from(`[${Array(1_000_000).fill(1).join(',')}]`), /10100 JSON values/],
    ];
    for (const [body, reason] of bodies) {
      const started = process.hrtime.bigint();
      expect(jsonStructureProblem(body, real)).toMatch(reason);
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(250);
    }
  });

  it('reads a view into a larger buffer only within its bounds', () => {
    const whole = Buffer.from('[[[[[[["x"]]]]]]]');
    expect(jsonStructureProblem(whole.subarray(2, 15), limits)).toMatch(/levels/);
    expect(jsonStructureProblem(whole.subarray(5, 12), limits)).toBeNull();
  });
});
