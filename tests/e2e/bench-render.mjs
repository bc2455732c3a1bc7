// Benchmark (not a test): how long the page takes to show a 50-entry index in
// headless Chromium. A registry with an index of 50 platforms (bench-seed),
// the proxy with a warm cache, then five page loads of /?ref=...: the time
// from navigation start to 50 rendered platform rows, and the part of it
// after the inspect answer arrived (the rendering itself). Run by scripts/bench.
import { spawn } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRegistry, startProxy, launchBrowser } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const seedDir = process.env.MW_SEED_BIN_DIR || process.env.MW_BIN_DIR || join(root, 'target/debug');
const ENTRIES = Number(process.env.BENCH_ENTRIES || 50);
const RUNS = Number(process.env.BENCH_RUNS || 5);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const registry = await startRegistry();
let proxy, browser;
try {
  // Asynchronously: a blocked event loop would stop draining the registry's
  // log pipe, and the registry would stall once it is full.
  await new Promise((ok, fail) => {
    const child = spawn(
      join(seedDir, 'bench-seed'),
      ['--registry', registry.host, '--platforms', String(ENTRIES), '--repository', 'bench/render', '--tag', 'latest'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`bench-seed failed (${code}): ${err}`))));
  });
  proxy = await startProxy([registry.host]);
  const ref = `${registry.host}/bench/render:latest`;
  // Warm the proxy's cache: the page measures rendering, not the registry.
  const warm = await fetch(`${proxy.url}/api/v1/inspect?ref=${encodeURIComponent(ref)}`);
  if (warm.status !== 200) throw new Error(`inspect answered ${warm.status}`);
  browser = await launchBrowser();
  const totals = [];
  const renders = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${proxy.url}/?ref=${encodeURIComponent(ref)}`);
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="platform"]').length >= n,
      ENTRIES,
      { timeout: 60000 },
    );
    const t = await page.evaluate(() => {
      const api = performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/api/v1/inspect?'))
        .pop();
      return { total: performance.now(), apiEnd: api ? api.responseEnd : NaN };
    });
    totals.push(t.total);
    renders.push(t.total - t.apiEnd);
    await context.close();
  }
  console.log(
    `  ${ENTRIES}-entry index: ${median(totals).toFixed(0)} ms from navigation to ${ENTRIES} rows ` +
      `(median of ${RUNS}); ${median(renders).toFixed(0)} ms of it after the inspect answer arrived`,
  );
} finally {
  await browser?.close();
  proxy?.stop();
  registry.stop();
}
