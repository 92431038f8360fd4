#!/usr/bin/env node
/** `kubecache-configmap-mirror`: see `--help`. */
import { configMapMirrorExample } from '../configmap-mirror-example.js';
import { runExample } from '../example-cli.js';

process.exitCode = await runExample(configMapMirrorExample, process.argv.slice(2));
