// Imports a compiled entry point of this package, or says in one line how to build it.
import { existsSync } from 'node:fs';

/**
 * @param {string} command the command name, for the hint
 * @param {string} relative the entry point, relative to this folder
 */
export async function runBuilt(command, relative) {
  const target = new URL(relative, import.meta.url);
  if (!existsSync(target)) {
    console.error(`${command}: not built yet; run \`npm run build\` in the kubecache repository first`);
    process.exit(1);
  }
  await import(target.href);
}
