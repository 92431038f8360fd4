/**
 * A kubeconfig for a running server: as YAML (for kubectl) and as a client-node `KubeConfig` object
 * (loaded from the same text, so both always agree).
 */

/** What a kubeconfig needs to reach the server. */
export interface KubeconfigTarget {
  /** `http://127.0.0.1:port` or `https://…`. */
  url: string;
  /** PEM of the CA to trust (TLS). */
  caPem?: string | undefined;
  /** Bearer token to send. */
  token?: string | undefined;
  /** Context, cluster and user name. Default `kubecache`. */
  name?: string;
}

/**
 * The kubeconfig YAML for `target`, with namespace `default`.
 *
 * @example
 * writeFileSync('kubeconfig', kubeconfigYaml({ url: server.url }));
 */
export function kubeconfigYaml(target: KubeconfigTarget): string {
  const name = target.name ?? 'kubecache';
  // client-node 1.x refuses plain http unless TLS verification is marked skipped; kubectl ignores the flag there.
  const plainHttp = target.url.startsWith('http:') ? '    insecure-skip-tls-verify: true\n' : '';
  const ca = target.caPem
    ? `    certificate-authority-data: ${Buffer.from(target.caPem).toString('base64')}\n`
    : plainHttp;
  const user = target.token ? `    token: ${JSON.stringify(target.token)}\n` : '    {}\n';
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${target.url}`,
    ca.trimEnd(),
    'users:',
    `- name: ${name}`,
    user.includes('{}') ? '  user: {}' : `  user:\n${user.trimEnd()}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    '    namespace: default',
    `current-context: ${name}`,
    '',
  ]
    .filter((line) => line !== '')
    .join('\n')
    .concat('\n');
}
