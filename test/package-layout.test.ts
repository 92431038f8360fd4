/**
 * The package layout is a contract: each package mirrors a Kubernetes module and dependencies point one way
 * (DESIGN.md, Packages). This reads every package's imports and fails on an arrow against the order, on a
 * cycle, and on a package.json whose dependencies are not what its code imports.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

const root = path.resolve(import.meta.dirname, '..');

/** What each package's shipped code may import, besides itself. */
const ALLOWED: Record<string, readonly string[]> = {
  apimachinery: [],
  cache: ['apimachinery'],
  workqueue: ['apimachinery', 'cache'],
  storage: ['apimachinery'],
  etcd: ['apimachinery', 'storage'],
  apiserver: ['apimachinery', 'cache', 'storage', 'etcd'],
  listers: ['apimachinery', 'cache'],
  informers: ['apimachinery', 'cache', 'workqueue'],
  manager: ['apimachinery', 'cache', 'workqueue', 'informers', 'listers'],
  chaos: ['apimachinery', 'cache', 'storage', 'informers'],
  examples: ['apimachinery', 'cache', 'workqueue', 'storage', 'apiserver', 'listers', 'informers', 'manager', 'etcd'],
};

interface Pkg {
  name: string;
  dir: string;
  json: {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
}

function packages(): Pkg[] {
  const dirs = readdirSync(path.join(root, 'packages')).map((d) => path.join(root, 'packages', d));
  dirs.push(path.join(root, 'examples'));
  return dirs
    .filter((d) => statSync(path.join(d, 'package.json'), { throwIfNoEntry: false }))
    .map((dir) => ({
      name: path.basename(dir),
      dir,
      json: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')),
    }));
}

function sources(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Test-only files: not shipped, may use dev dependencies. */
const isDevOnly = (file: string): boolean =>
  /\.test\.ts$|\.type-test\.ts$|-test-kit\.ts$|\/bench\//.test(file) ||
  (/\.contract\.ts$/.test(file) && !/\/testing\//.test(file));

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'";]*?from\s+'([^']+)'/g)].map((m) => m[1] as string);
  const dynamic = [...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] as string);
  return [...specs, ...dynamic].filter((s) => !s.startsWith('.') && !s.startsWith('node:'));
}

const packageOf = (spec: string): string =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);

describe('package layout', () => {
  const pkgs = packages();

  it('knows every package', () => {
    expect(pkgs.map((p) => p.name).filter((n) => !(n in ALLOWED))).toEqual([]);
  });

  it.each(pkgs.map((p) => [p.name, p] as const))('%s imports only the packages below it', (name, pkg) => {
    const wrong: string[] = [];
    for (const file of sources(path.join(pkg.dir, 'src'))) {
      if (isDevOnly(file)) continue;
      for (const spec of importsOf(file)) {
        const m = /^@kubecache\/([a-z-]+)/.exec(spec);
        if (m && m[1] !== name && !ALLOWED[name]?.includes(m[1] as string)) {
          wrong.push(`${path.relative(root, file)} → ${spec}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each(pkgs.map((p) => [p.name, p] as const))(
    '%s depends on exactly what its shipped code imports',
    (_name, pkg) => {
      const imported = new Set<string>();
      for (const file of sources(path.join(pkg.dir, 'src'))) {
        if (isDevOnly(file)) continue;
        for (const spec of importsOf(file)) imported.add(packageOf(spec));
      }
      imported.delete(`@kubecache/${pkg.name}`);
      const declared = new Set([
        ...Object.keys(pkg.json.dependencies ?? {}),
        ...Object.keys(pkg.json.peerDependencies ?? {}),
      ]);
      expect({ missing: [...imported].filter((d) => !declared.has(d)).sort() }).toEqual({ missing: [] });
      expect({ unused: [...declared].filter((d) => !imported.has(d)).sort() }).toEqual({ unused: [] });
    },
  );

  it('has no cycle among the workspace packages, dev dependencies included', () => {
    const edges = new Map<string, string[]>();
    for (const p of pkgs) {
      const all = { ...p.json.dependencies, ...p.json.peerDependencies, ...p.json.devDependencies };
      edges.set(
        p.name,
        Object.keys(all)
          .filter((d) => d.startsWith('@kubecache/'))
          .map((d) => d.slice('@kubecache/'.length)),
      );
    }
    const cycles: string[] = [];
    const visit = (n: string, trail: string[]): void => {
      if (trail.includes(n)) {
        cycles.push([...trail.slice(trail.indexOf(n)), n].join(' → '));
        return;
      }
      for (const m of edges.get(n) ?? []) visit(m, [...trail, n]);
    };
    for (const n of edges.keys()) visit(n, []);
    expect(cycles).toEqual([]);
  });
});

describe('package READMEs', () => {
  it('list exactly what each package exports (node scripts/readme-exports.mjs)', () => {
    const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'readme-exports.mjs'), '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
