// The world a browser test runs in: a real docker-registry on a free loopback
// port seeded with the demo images, the real proxy serving the built page, and
// Debian's Chromium driven by Playwright. Everything listens on 127.0.0.1 only.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const binDir = process.env.MW_BIN_DIR || join(root, 'target/debug');
export const artifacts = join(root, 'tests/e2e/artifacts');
mkdirSync(artifacts, { recursive: true });

export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

async function waitFor(url, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up at ${url}: ${last}`);
}

function start(cmd, args, name) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  child.logs = () => output;
  child.on('exit', (code, sig) => {
    if (code && code !== 0) console.error(`${name} exited with ${code}:\n${output}`);
  });
  return child;
}

/** A registry (optionally htpasswd-protected) on a free port, with temp storage. */
export async function startRegistry({ htpasswd } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mw-e2e-registry-'));
  const port = await freePort();
  let auth = '';
  if (htpasswd) {
    const r = spawnSync('htpasswd', ['-Bbn', htpasswd.user, htpasswd.password]);
    if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
    writeFileSync(join(dir, 'htpasswd'), r.stdout);
    auth = `auth:\n  htpasswd:\n    realm: e2e\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  const proc = start('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], 'docker-registry');
  await waitFor(`http://127.0.0.1:${port}/v2/`, 'docker-registry');
  return {
    host: `127.0.0.1:${port}`,
    stop() {
      proc.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function seedDemo(registryHost, extraArgs = []) {
  const r = spawnSync(join(binDir, 'seed-demo'), ['--registry', registryHost, ...extraArgs], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`seed-demo failed (${r.status}): ${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The proxy binary serving the built page (dist/, or $MW_DIST), with registries allow-listed. */
export async function startProxy(registryHosts, extraArgs = []) {
  const port = await freePort();
  const args = ['--listen', `127.0.0.1:${port}`, '--dist', process.env.MW_DIST || join(root, 'dist'), ...extraArgs];
  for (const h of registryHosts) args.push('--insecure-registry', h);
  const proc = start(join(binDir, 'manifest-web'), args, 'manifest-web');
  await waitFor(`http://127.0.0.1:${port}/api/v1/health`, 'manifest-web');
  return {
    url: `http://127.0.0.1:${port}`,
    logs: () => proc.logs(),
    stop() {
      proc.kill('SIGTERM');
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * A manifest as the registry itself serves it, independent of the proxy:
 * its digest and content type from the headers, its exact text, and parsed.
 */
export async function registryManifest(host, repo, ref) {
  const r = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, { headers: { Accept: MANIFEST_ACCEPT } });
  if (r.status !== 200) throw new Error(`registry GET ${repo}:${ref} answered ${r.status}`);
  const text = await r.text();
  return {
    digest: r.headers.get('docker-content-digest'),
    type: r.headers.get('content-type'),
    text,
    body: JSON.parse(text),
  };
}

/** `os/arch[/variant][:os.version]`, as the page shows platforms. */
export function platformString(p) {
  let s = `${p.os}/${p.architecture}`;
  if (p.variant) s += `/${p.variant}`;
  if (p['os.version']) s += `:${p['os.version']}`;
  return s;
}

/**
 * The world most page tests need: a sandbox registry seeded with the demo
 * images, the proxy allowed to reach it, and a browser; started before the
 * calling file's tests and stopped after them. `registryManifest(repo, ref)`
 * reads from that registry directly; `open(page, ref)` shows an inspection.
 */
export function demoWorld() {
  const world = {
    registryManifest: (repo, ref) => registryManifest(world.registry.host, repo, ref),
    async open(page, ref) {
      await page.goto(`${world.proxy.url}/?ref=${encodeURIComponent(ref)}`);
      await page.getByTestId('summary').waitFor();
    },
  };
  before(async () => {
    world.registry = await startRegistry();
    seedDemo(world.registry.host);
    world.proxy = await startProxy([world.registry.host]);
    world.browser = await launchBrowser();
  });
  after(async () => {
    await world.browser?.close();
    world.proxy?.stop();
    world.registry?.stop();
  });
  return world;
}
