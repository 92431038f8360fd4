/**
 * Every package README's example runs against the built packages and prints exactly the output its README
 * shows: the first ```js block is the program, the ```text block after it is what it must print.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

const root = path.resolve(import.meta.dirname, '..');

function example(readme: string): { program: string; output: string } | undefined {
  const text = readFileSync(readme, 'utf8');
  const js = /```js\n([\s\S]*?)```/.exec(text);
  if (!js) return undefined;
  const rest = text.slice((js.index ?? 0) + js[0].length);
  const out = /```text\n([\s\S]*?)```/.exec(rest);
  return { program: js[1] as string, output: (out?.[1] ?? '').trimEnd() };
}

const readmes = readdirSync(path.join(root, 'packages'))
  .map((d) => path.join(root, 'packages', d, 'README.md'))
  .filter((f) => existsSync(f) && Boolean(example(f)?.output));

/** READMEs whose example needs a real cluster: they show no output block and are not run. */
const NEEDS_A_CLUSTER = ['informers'];

describe('README examples', () => {
  it('every package README but those needing a cluster has a runnable example with its output', () => {
    const packages = readdirSync(path.join(root, 'packages')).filter((d) =>
      existsSync(path.join(root, 'packages', d, 'README.md')),
    );
    const untested = packages.filter((d) => !example(path.join(root, 'packages', d, 'README.md'))?.output);
    expect(untested).toEqual(NEEDS_A_CLUSTER);
  });

  it.each(readmes.map((f) => [path.relative(root, f), f]))('%s prints what it says', (_name, readme) => {
    const ex = example(readme) as { program: string; output: string };
    // Inside the package folder, so `@kubecache/*` resolves through the workspace to the built packages.
    const file = path.join(path.dirname(readme), '.readme-example.mjs');
    writeFileSync(file, ex.program);
    try {
      const printed = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
      expect(printed.trimEnd()).toBe(ex.output);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
