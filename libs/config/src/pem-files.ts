// Certificate and key files named by environment variables, read once at start and checked
// there: a missing, unreadable or malformed file, a key that is not the certificate's, or an
// expired certificate stops the process with one ConfigError naming the variable and the file,
// instead of a TLS handshake failing later on every connection.
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { ConfigError } from './config-error';

/** One variable and the path it names. */
export interface PemSource {
  variable: string;
  path: string;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Says whether a group of variables that only work together (a certificate and its key) is on:
 * true when all are set, false when none is; throws for the first missing one otherwise.
 */
export function allOrNone(given: Readonly<Record<string, string | undefined>>): boolean {
  const names = Object.keys(given);
  const set = names.filter((name) => given[name] !== undefined);
  if (set.length === 0) return false;
  const missing = names.find((name) => given[name] === undefined);
  if (missing) {
    throw new ConfigError(
      missing,
      `must be set when ${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} (${names.join(', ')}: all or none)`,
      '',
    );
  }
  return true;
}

/** The PEM certificates of a file, each parsed (a CA bundle or a certificate chain). */
export function readCertificates(source: PemSource): {
  pem: Buffer;
  certificates: X509Certificate[];
} {
  const pem = readPem(source);
  const blocks = pem.toString('utf8').match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0)
    fail(source, 'holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)');
  const certificates = blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      return fail(
        source,
        `holds a certificate that cannot be parsed (${(error as Error).message})`,
      );
    }
  });
  const now = Date.now();
  for (const certificate of certificates) {
    if (Date.parse(certificate.validTo) < now) {
      fail(
        source,
        `holds a certificate (${certificate.subject.replace(/\n/g, ', ')}) that expired on ${certificate.validTo}`,
      );
    }
  }
  return { pem, certificates };
}

/**
 * A certificate chain and its private key, checked to belong together. The certificate file's
 * first certificate is the one the key must match (the leaf; intermediates may follow).
 */
export function readKeyPair(cert: PemSource, key: PemSource): { cert: Buffer; key: Buffer } {
  const { pem, certificates } = readCertificates(cert);
  const keyPem = readPem(key);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch (error) {
    return fail(key, `holds no usable unencrypted PEM private key (${(error as Error).message})`);
  }
  if (!certificates[0].checkPrivateKey(privateKey)) {
    fail(key, `is not the private key of the certificate in ${cert.variable} (${cert.path})`);
  }
  return { cert: pem, key: keyPem };
}

function readPem(source: PemSource): Buffer {
  try {
    return readFileSync(source.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(source, `cannot read the file (${code ?? (error as Error).message})`);
  }
}

function fail(source: PemSource, reason: string): never {
  throw new ConfigError(source.variable, reason, source.path);
}
