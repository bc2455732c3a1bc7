// Benchmark (not a test): how long the page takes to show a 50-entry index in
// headless Chromium. A registry with an index of 50 platforms (bench-seed),
// the proxy with a warm cache, then five page loads of /?ref=...: measured in
// the page itself, from the moment the inspect answer arrived (its Resource
// Timing `responseEnd`) to the 50th platform row in the DOM (a
// MutationObserver) and to the first paint of the table (the Element Timing
// API: its heading has `elementtiming="entries"`; style, layout and paint
// included). Run by scripts/bench.
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
  const inDom = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript((n) => {
      const marks = (window.__benchRender = {});
      const observer = new MutationObserver(() => {
        if (document.querySelectorAll('[data-testid="platform"]').length < n) return;
        observer.disconnect();
        marks.inDom = performance.now();
      });
      observer.observe(document, { subtree: true, childList: true });
      // The entries table's heading (`elementtiming="entries"`) is built in
      // the same task as its rows: its first paint is theirs.
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.identifier === 'entries') marks.painted = e.renderTime;
      }).observe({ type: 'element', buffered: true });
    }, ENTRIES);
    await page.goto(`${proxy.url}/?ref=${encodeURIComponent(ref)}`);
    await page.waitForFunction(() => window.__benchRender.painted && window.__benchRender.inDom, null, {
      timeout: 60000,
    });
    const t = await page.evaluate(() => {
      const api = performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/api/v1/inspect?'))
        .pop();
      return { ...window.__benchRender, apiEnd: api ? api.responseEnd : NaN };
    });
    totals.push(t.painted);
    inDom.push(t.inDom - t.apiEnd);
    renders.push(t.painted - t.apiEnd);
    await context.close();
  }
  console.log(
    `  ${ENTRIES}-entry index: ${median(totals).toFixed(0)} ms from navigation to ${ENTRIES} rows painted ` +
      `(median of ${RUNS}); after the inspect answer arrived: ${median(inDom).toFixed(0)} ms to the rows ` +
      `in the DOM, ${median(renders).toFixed(0)} ms to their first paint ` +
      `(each run: ${renders.map((r) => r.toFixed(0)).join(', ')} ms)`,
  );
} finally {
  await browser?.close();
  proxy?.stop();
  registry.stop();
}
