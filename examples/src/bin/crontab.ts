#!/usr/bin/env node
/** `kubecache-crontab`: see `--help`. */
import { cronTabExample } from '../crontab-example.js';
import { runExample } from '../example-cli.js';

process.exitCode = await runExample(cronTabExample, process.argv.slice(2));
