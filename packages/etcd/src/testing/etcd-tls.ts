/**
 * Test certificates for etcd over TLS, made with the `openssl` command-line tool (no npm dependency): a CA,
 * a server certificate for 127.0.0.1/localhost and a client certificate signed by that CA, plus an
 * unrelated CA to show what a wrong CA looks like.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** PEM files of a test PKI. */
export interface EtcdTlsFiles {
  /** The CA that signed the server and client certificates. */
  ca: string;
  serverCert: string;
  serverKey: string;
  /** A client certificate the server accepts. */
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here (clients trusting it reject the server). */
  otherCa: string;
  /** A client certificate signed by `otherCa` (the server rejects it). */
  otherClientCert: string;
  otherClientKey: string;
}

/** Whether `openssl` can be run. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Writes a fresh test PKI into `dir` (P-256 keys, valid one day) and returns the file names. */
export function makeTestPki(dir: string): EtcdTlsFiles {
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const newCa = (name: string, cn: string) =>
    ssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.crt`),
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
    );
  const sign = (name: string, ca: string, cn: string, ext: string) => {
    writeFileSync(f(`${name}.ext`), ext);
    ssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
      '-subj',
      `/CN=${cn}`,
    );
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f(`${ca}.crt`),
      '-CAkey',
      f(`${ca}.key`),
      '-CAcreateserial',
      '-out',
      f(`${name}.crt`),
      '-days',
      '1',
      '-extfile',
      f(`${name}.ext`),
    );
  };
  newCa('ca', 'kubecache test CA');
  newCa('other-ca', 'kubecache unrelated CA');
  sign('server', 'ca', 'etcd', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  sign('client', 'ca', 'kubecache-apiserver', 'extendedKeyUsage=clientAuth\n');
  sign('other-client', 'other-ca', 'stranger', 'extendedKeyUsage=clientAuth\n');
  return {
    ca: f('ca.crt'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    otherCa: f('other-ca.crt'),
    otherClientCert: f('other-client.crt'),
    otherClientKey: f('other-client.key'),
  };
}
