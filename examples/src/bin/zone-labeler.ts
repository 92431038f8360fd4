#!/usr/bin/env node
/** `kubecache-zone-labeler`: see `--help`. */
import { runExample } from '../example-cli.js';
import { zoneLabelerExample } from '../zone-labeler-example.js';

process.exitCode = await runExample(zoneLabelerExample, process.argv.slice(2));
