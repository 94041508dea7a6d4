import { protoKeyProblem } from './proto-key';

describe('protoKeyProblem', () => {
  it.each([
    '{"message": "x"}',
    '"__proto__"',
    'null',
    '{"message": "{\\"__proto__\\": 1}"}',
    '[1, [2, {"a": {}}]]',
  ])('lets %s through', (text) => {
    expect(protoKeyProblem(JSON.parse(text))).toBeNull();
  });

  it.each([
    '{"message": "x", "__proto__": {"a": 1}}',
    '{"m": [{"__proto__": 1}]}',
    '[[{"__proto__": null}]]',
  ])('refuses %s as an unknown field', (text) => {
    expect(protoKeyProblem(JSON.parse(text))?.problem).toMatchObject({
      status: 400,
      type: expect.stringMatching(/invalid-request$/),
      errors: [expect.objectContaining({ field: '__proto__', in: 'body' })],
    });
  });
});
