import { ClusterEnv } from './cluster-env';
import { ConfigError } from './config-error';
import { EnvOnOff, EnvWholeNumber } from './env-rules';
import { validateEnv } from './validate-env';

class SampleEnv extends ClusterEnv {
  @EnvWholeNumber(1, 10)
  SAMPLE_COUNT: number = 3;

  @EnvOnOff()
  SAMPLE_SWITCH: boolean = false;
}

function configError(env: Record<string, string>): ConfigError {
  try {
    validateEnv(SampleEnv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError');
}

describe('validateEnv', () => {
  it('keeps the defaults of variables left out, empty or blank', () => {
    const env = validateEnv(SampleEnv, { SAMPLE_COUNT: '', SAMPLE_SWITCH: '  ' });
    expect(env).toMatchObject({
      DISTILLED_ETCD: ['http://127.0.0.1:2379'],
      DISTILLED_CLUSTER: 'distilled',
      SAMPLE_COUNT: 3,
      SAMPLE_SWITCH: false,
    });
  });

  it('converts trimmed values and drops the rest of the environment', () => {
    const env = validateEnv(SampleEnv, {
      SAMPLE_COUNT: ' 10 ',
      SAMPLE_SWITCH: 'On',
      DISTILLED_ETCD: 'http://a:1, ,https://b:2,',
      PATH: '/usr/bin',
    });
    expect(env.SAMPLE_COUNT).toBe(10);
    expect(env.SAMPLE_SWITCH).toBe(true);
    expect(env.DISTILLED_ETCD).toEqual(['http://a:1', 'https://b:2']);
    expect(env).not.toHaveProperty('PATH');
  });

  it.each([
    ['SAMPLE_COUNT', '11', 'must be a whole number from 1 to 10'],
    ['SAMPLE_COUNT', '0x5', 'must be a whole number from 1 to 10'],
    ['SAMPLE_COUNT', '99999999999999999999', 'must be a whole number from 1 to 10'],
    ['SAMPLE_SWITCH', 'yes', 'must be on or off'],
    ['DISTILLED_ETCD', ',', 'must be comma-separated http(s)://host:port URLs'],
    ['DISTILLED_ETCD', 'http://', 'must be comma-separated http(s)://host:port URLs'],
    ['DISTILLED_CLUSTER', '-x', 'must be 1-128 letters'],
  ])('%s=%s: one line with the variable, the rule and the value', (variable, value, rule) => {
    const error = configError({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toBe(`${variable}: ${error.reason} (got "${value}")`);
    expect(error.reason).toContain(rule);
  });
});
