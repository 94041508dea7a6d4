import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ThrowawayCa, type CertificateFiles } from '@distilled/launcher';
import { ConfigError } from './config-error';
import { allOrNone, readCertificates, readKeyPair } from './pem-files';

function configError(read: () => unknown): ConfigError {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError');
}

describe('PEM files', () => {
  let dir: string;
  let ca: ThrowawayCa;
  let leaf: CertificateFiles;
  let another: CertificateFiles;
  let notPem: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pem-files-'));
    ca = await ThrowawayCa.create(dir);
    leaf = await ca.issue('leaf');
    another = await ca.issue('another');
    notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('allOrNone', () => {
    it('is false when none is set and true when all are', () => {
      expect(allOrNone({ A: undefined, B: undefined })).toBe(false);
      expect(allOrNone({ A: 'a', B: 'b' })).toBe(true);
    });

    it('names the first missing variable and the ones that are set', () => {
      const error = configError(() => allOrNone({ A: 'a', B: undefined, C: 'c' }));
      expect(error.variable).toBe('B');
      expect(error.message).toBe('B: must be set when A and C are (A, B, C: all or none) (got "")');
    });
  });

  describe('readCertificates', () => {
    it('reads every certificate of a bundle', () => {
      writeFileSync(
        join(dir, 'bundle.pem'),
        readFileSync(ca.cert, 'utf8') + readFileSync(leaf.cert, 'utf8'),
      );
      const read = readCertificates({ variable: 'V', path: join(dir, 'bundle.pem') });
      expect(read.certificates.map((c) => c.subject)).toEqual([
        'CN=distilled throwaway CA',
        'CN=leaf',
      ]);
    });

    it.each([
      ['a missing file', () => join(dir, 'missing.pem'), 'cannot read the file (ENOENT)'],
      ['a directory', () => dir, 'cannot read the file (EISDIR)'],
      [
        'a file without a certificate',
        () => notPem,
        'holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)',
      ],
      [
        'a private key',
        () => leaf.key,
        'holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)',
      ],
    ])('refuses %s with one line naming the variable and the file', (_case, path, reason) => {
      const file = path();
      const error = configError(() => readCertificates({ variable: 'DISTILLED_X', path: file }));
      expect(error.variable).toBe('DISTILLED_X');
      expect(error.message).toBe(`DISTILLED_X: ${reason} (got "${file}")`);
    });

    it('refuses a certificate block that does not parse', () => {
      const broken = join(dir, 'broken.pem');
      writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
      expect(configError(() => readCertificates({ variable: 'V', path: broken })).reason).toMatch(
        /^holds a certificate that cannot be parsed/,
      );
    });
  });

  describe('readKeyPair', () => {
    const cert = (path: string) => ({ variable: 'DISTILLED_T_CERT', path });
    const key = (path: string) => ({ variable: 'DISTILLED_T_KEY', path });

    it('returns the certificate and the key that belong together', () => {
      const pair = readKeyPair(cert(leaf.cert), key(leaf.key));
      expect(pair.cert.toString()).toContain('BEGIN CERTIFICATE');
      expect(pair.key.toString()).toContain('PRIVATE KEY');
    });

    it("refuses another certificate's key, naming both variables and files", () => {
      const error = configError(() => readKeyPair(cert(leaf.cert), key(another.key)));
      expect(error.message).toBe(
        `DISTILLED_T_KEY: is not the private key of the certificate in DISTILLED_T_CERT (${leaf.cert}) (got "${another.key}")`,
      );
    });

    it('refuses a key file that holds no key', () => {
      const error = configError(() => readKeyPair(cert(leaf.cert), key(leaf.cert)));
      expect(error.variable).toBe('DISTILLED_T_KEY');
      expect(error.reason).toMatch(/^holds no usable unencrypted PEM private key/);
    });

    it('refuses a certificate file that holds no certificate', () => {
      expect(configError(() => readKeyPair(cert(notPem), key(leaf.key))).variable).toBe(
        'DISTILLED_T_CERT',
      );
    });
  });
});
