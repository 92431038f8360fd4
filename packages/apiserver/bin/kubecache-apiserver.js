#!/usr/bin/env node
// The committed bin of kubecache-apiserver, so that npm links it on install (before anything is built). It
// runs the compiled CLI; in the kubecache repository `npm ci` builds it (the root `prepare` script).
import { existsSync } from 'node:fs';

const target = new URL('../dist/bin/kubecache-apiserver.js', import.meta.url);
if (!existsSync(target)) {
  console.error('kubecache-apiserver: not built yet; run `npm run build` in the kubecache repository first');
  process.exit(1);
}
await import(target.href);
