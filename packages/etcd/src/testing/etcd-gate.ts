/**
 * Whether tests that need etcd can run here. In CI (`process.env.CI` set) a missing etcd fails the suite;
 * elsewhere those tests are skipped with a loud message.
 */
import { spawnSync } from 'node:child_process';

type Block = (name: string, fn: () => void) => void;

/** jest's globals, read at call time so that importing this module outside jest (benchmarks) is harmless. */
function jestGlobals(): { describe: Block & { skip: Block }; it: Block } {
  const g = globalThis as unknown as { describe?: Block & { skip: Block }; it?: Block };
  if (!g.describe || !g.it) throw new Error('describeWithEtcd must be called inside a jest test file');
  return { describe: g.describe, it: g.it };
}

/** Whether the etcd binary (`$ETCD_BIN` or `etcd`) runs. */
export function hasEtcd(binary = process.env.ETCD_BIN ?? 'etcd'): boolean {
  const r = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

/**
 * `describe(name, fn)` when etcd is installed. Without it: in CI a failing test that says what to install;
 * elsewhere the block is skipped and a warning is printed.
 */
export function describeWithEtcd(name: string, fn: () => void): void {
  const { describe, it } = jestGlobals();
  if (hasEtcd()) {
    describe(name, fn);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it('needs etcd (apt-get install -y etcd-server)', () => {
        throw new Error(
          'etcd is not installed but CI is set: install etcd-server 3.4 (apt-get install -y etcd-server)',
        );
      });
    });
    return;
  }
  console.warn(
    `\n*** SKIPPED "${name}": etcd is not installed. Install etcd-server (apt-get install -y etcd-server) or set ETCD_BIN. ***\n`,
  );
  describe.skip(name, fn);
}
