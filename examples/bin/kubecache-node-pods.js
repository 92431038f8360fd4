#!/usr/bin/env node
// The committed bin of kubecache-node-pods, so that npm links it on install (before anything is built). It runs
// the compiled example; `npm ci` builds it (the root `prepare` script runs `tsc -b`).
import { runBuilt } from './run-built.js';

await runBuilt('kubecache-node-pods', '../dist/bin/node-pods.js');
