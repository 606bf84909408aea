#!/usr/bin/env node
// The CLI is compiled TypeScript; `make build` (run by both README commands) produces dist/.
import { main } from '../dist/broker/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
