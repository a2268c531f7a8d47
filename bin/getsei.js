#!/usr/bin/env node
// The getsei command. Runs the compiled package (dist/, built by `npm run build`, which `npm ci` runs);
// in a source checkout without a build it runs the TypeScript sources through tsx.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
