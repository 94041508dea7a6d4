import { describeError } from './describe-error';

describe('describeError', () => {
  it('gives an Error its message', () => {
    expect(describeError(new Error('disk full'))).toBe('disk full');
  });

  it('turns anything else into a string', () => {
    expect(describeError('plain')).toBe('plain');
    expect(describeError(42)).toBe('42');
    expect(describeError(undefined)).toBe('undefined');
  });
});
