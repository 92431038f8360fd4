/**
 * What a user installs: every package is packed with `npm pack` and installed from the tarballs into a fresh
 * consumer project, which imports each entry point as plain ESM and type-checks against the shipped
 * declarations with `moduleResolution` NodeNext and Bundler.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const root = path.resolve(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** Each package and the entries a user imports from it, with one value export to call or read. */
const ENTRIES: Record<string, Record<string, string>> = {
  apimachinery: { '': 'parseLabelSelector', '/testing': 'FakeClock' },
  cache: { '': 'IndexedStore', '/testing': 'FakeControllerSource' },
  workqueue: { '': 'WorkQueue' },
  storage: { '': 'MemoryStorage', '/testing': 'describeStorageContract' },
  apiserver: { '': 'Cacher' },
  listers: { '': 'PodLister' },
  informers: { '': 'SharedInformerFactory', '/testing': 'ScriptedServer' },
  etcd: { '': 'Etcd3Storage', '/testing': 'startEtcd' },
  manager: { '': 'Manager', '/testing': 'MemoryLeaseLock' },
};

let work: string;
let tarballs: string[];

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'kubecache-consumer-'));
  run(process.execPath, [tsc, '-b'], root);
  const packs = path.join(work, 'packs');
  mkdirSync(packs);
  for (const pkg of Object.keys(ENTRIES))
    run(npm, ['pack', '--silent', '--pack-destination', packs, '-w', `packages/${pkg}`], root);
  tarballs = readdirSync(packs).map((f) => path.join(packs, f));
  const app = path.join(work, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run(
    npm,
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...tarballs,
      '@kubernetes/client-node@~1.4.0',
      '@types/node@^20',
      '@jest/globals@^30',
    ],
    app,
  );
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed packages', () => {
  it('ship no build info, source maps, tests or benchmarks', () => {
    const listed = tarballs.flatMap((t) => run('tar', ['-tzf', t], work).split('\n').filter(Boolean));
    expect(listed.filter((f) => /\.tsbuildinfo$|\.map$|\.test\.|\/bench\/|-test-kit\./.test(f))).toEqual([]);
    expect(listed.filter((f) => f.endsWith('/index.d.ts')).length).toBeGreaterThanOrEqual(11);
  });

  it('import as plain ESM, every entry', () => {
    // The storage contract suite imports @jest/globals: it loads under jest, which is where it runs.
    const plain = Object.entries(ENTRIES).map(
      ([pkg, entries]) => [pkg, pkg === 'storage' ? { '': entries[''] as string } : entries] as const,
    );
    const lines = plain.flatMap(([pkg, entries]) =>
      Object.entries(entries).map(
        ([entry, name]) =>
          `{ const m = await import('@kubecache/${pkg}${entry}'); if (typeof m.${name} !== 'function') throw new Error('${pkg}${entry}: ${name} missing'); }`,
      ),
    );
    lines.push(`const { parseLabelSelector } = await import('@kubecache/apimachinery');`);
    lines.push(`console.log(parseLabelSelector('app in (a,b),tier!=db').toString());`);
    writeFileSync(path.join(work, 'app', 'esm.mjs'), lines.join('\n'));
    expect(run(process.execPath, ['esm.mjs'], path.join(work, 'app')).trim()).toBe('app in (a,b),tier!=db');
  });

  it.each(['NodeNext', 'Bundler'])('type-check with moduleResolution %s', (resolution) => {
    const app = path.join(work, 'app');
    const dir = path.join(app, resolution);
    mkdirSync(dir, { recursive: true });
    const imports = Object.entries(ENTRIES).flatMap(([pkg, entries]) =>
      Object.entries(entries).map(
        ([entry, name]) => `import { ${name} as ${pkg}${entry.replace('/', '_')} } from '@kubecache/${pkg}${entry}';`,
      ),
    );
    const uses = Object.entries(ENTRIES).flatMap(([pkg, entries]) =>
      Object.keys(entries).map((entry) => `void ${pkg}${entry.replace('/', '_')};`),
    );
    writeFileSync(
      path.join(dir, 'main.ts'),
      [
        ...imports,
        `import type { Wire } from '@kubecache/apimachinery';`,
        `import type { V1Pod } from '@kubernetes/client-node';`,
        ...uses,
        `const store = new cache<Wire<V1Pod>>();`,
        `const name: string | undefined = store.list()[0]?.metadata?.name;`,
        `void name;`,
      ].join('\n'),
    );
    const module = resolution === 'NodeNext' ? 'NodeNext' : 'ESNext';
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2022',
          module,
          moduleResolution: resolution,
          types: ['node'],
          skipLibCheck: true,
        },
        files: ['main.ts'],
      }),
    );
    expect(() => run(process.execPath, [tsc, '-p', dir], app)).not.toThrow();
  });
});
