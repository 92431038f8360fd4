#!/usr/bin/env node
/** `kubecache-node-pods`: see `--help`. */
import { runExample } from '../example-cli.js';
import { nodePodsExample } from '../node-pods-example.js';

process.exitCode = await runExample(nodePodsExample, process.argv.slice(2));
