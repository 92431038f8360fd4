#!/usr/bin/env node
/** `kubecache-podset`: see `--help`. */
import { runExample } from '../example-cli.js';
import { podSetExample } from '../podset-example.js';

process.exitCode = await runExample(podSetExample, process.argv.slice(2));
