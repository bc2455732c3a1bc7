// The inspect page's extras in the real page: what refers to a manifest
// (the demo SBOM, found through the referrers tag schema on distribution
// 2.8), the equivalent command lines, the whole inspection as JSON, the
// explanations of well-known annotation keys and media types, and the raw
// config one click from its digest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { demoWorld } from './harness.mjs';

const world = demoWorld();
const { registryManifest, open } = world;


const texts = async (locator) => (await locator.allTextContents()).map((s) => s.trim());

test('an image lists the SBOM that refers to it, and the link inspects the SBOM', async () => {
  const page = await world.browser.newPage();
  await open(page, `${world.registry.host}/demo/oci-image:1.0`);
  const image = await registryManifest('demo/oci-image', '1.0');
  const sbom = await registryManifest('demo/oci-image', 'sbom');
  assert.equal(sbom.body.subject.digest, image.digest);
  // What the registry holds under the tag schema's tag, independent of the proxy.
  const tagged = await registryManifest('demo/oci-image', image.digest.replace(':', '-'));

  const section = page.getByTestId('referrers');
  await section.waitFor();
  assert.deepEqual(await texts(section.getByTestId('referrer-digest')), tagged.body.manifests.map((m) => m.digest));
  assert.deepEqual(await texts(section.getByTestId('referrer-digest')), [sbom.digest]);
  assert.deepEqual(await texts(section.getByTestId('referrer-type')), [sbom.body.artifactType]);
  assert.match(await section.getByTestId('referrers-source').textContent(), /tag schema/);
  assert.ok((await section.getByTestId('referrer').textContent()).includes('B'), 'the size is shown');

  await section.getByTestId('referrer-digest').click();
  await page.waitForFunction((d) => document.querySelector('[data-testid="digest"]')?.textContent.trim() === d, sbom.digest);
  assert.equal(new URL(page.url()).searchParams.get('ref'), `${world.registry.host}/demo/oci-image@${sbom.digest}`);
  await page.close();
});

test('nothing refers to the demo schema2 image: no referrers section', async () => {
  const page = await world.browser.newPage();
  const answered = page.waitForResponse((r) => r.url().includes('/api/v1/referrers'));
  await open(page, `${world.registry.host}/demo/single:1.0`);
  const response = await answered;
  assert.equal(response.status(), 200);
  const body = await response.json();
  assert.equal(body.source, 'none');
  assert.deepEqual(body.referrers, []);
  // Let the page take the answer in before looking.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.equal(await page.getByTestId('referrers').count(), 0);
  await page.close();
});

test('the equivalent command lines name the normalized reference, and skopeo agrees', async () => {
  const page = await world.browser.newPage();
  await open(page, `${world.registry.host}/demo/oci-image:1.0`);
  const normalized = (await page.getByTestId('reference').textContent()).trim();
  const commands = await texts(page.getByTestId('commands').locator('code'));
  assert.deepEqual(commands, [`manifest-tool inspect ${normalized}`, `skopeo inspect --raw docker://${normalized}`]);
  assert.equal(await page.getByTestId('commands').getByRole('button', { name: 'Copy command' }).count(), 2);

  // The skopeo line works as shown (plus --tls-verify=false: the test registry is plain HTTP, on loopback).
  const args = commands[1].split(' ').slice(1);
  args.splice(2, 0, '--tls-verify=false');
  const run = spawnSync('skopeo', args, { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const image = await registryManifest('demo/oci-image', '1.0');
  assert.equal(run.stdout.trimEnd(), image.text.trimEnd());
  await page.close();
});

test('the whole inspection downloads as the API answered it', async () => {
  const page = await world.browser.newPage();
  const ref = `${world.registry.host}/demo/multiarch:latest`;
  await open(page, ref);
  const link = page.getByTestId('inspect-json-download');
  const href = await link.getAttribute('href');
  const prefix = 'data:application/json;charset=utf-8,';
  assert.ok(href.startsWith(prefix), href.slice(0, 60));
  const downloaded = decodeURIComponent(href.slice(prefix.length));
  // The page's first answer (an index's child configs follow separately).
  const api = await (await fetch(`${world.proxy.url}/api/v1/inspect?ref=${encodeURIComponent(ref)}&configs=later`)).text();
  assert.equal(downloaded, api);
  const digest = (await page.getByTestId('digest').textContent()).trim();
  assert.equal(JSON.parse(downloaded).digest, digest);
  assert.equal(await link.getAttribute('download'), `inspect-${digest.replace(':', '-')}.json`);
  await page.close();
});

test('well-known annotation keys explain themselves on hover', async () => {
  const page = await world.browser.newPage();
  await open(page, `${world.registry.host}/demo/oci-index:1.0`);
  const index = await registryManifest('demo/oci-index', '1.0');
  const keys = Object.keys(index.body.annotations);
  assert.ok(keys.includes('org.opencontainers.image.created'), `${keys}`);
  const header = (key) => page.getByTestId('annotations').locator('th', { hasText: key });
  assert.equal(await header('org.opencontainers.image.created').getAttribute('title'), 'When the image was built (RFC 3339)');
  assert.match(await header('org.opencontainers.image.source').getAttribute('title'), /source/);
  await page.close();
});

test('the raw view explains media types and keys, and its config digest opens the exact config bytes', async () => {
  const page = await world.browser.newPage();
  await open(page, `${world.registry.host}/demo/oci-image:1.0`);
  const image = await registryManifest('demo/oci-image', '1.0');
  const raw = page.getByTestId('raw-json');
  // Still exactly the registry's bytes, with the hovers and links inside.
  assert.equal(await raw.textContent(), image.text);

  const explained = raw.locator('.explained');
  const title = async (text) => explained.filter({ hasText: new RegExp(`^${text.replace(/[.+]/g, '\\$&')}$`) }).first().getAttribute('title');
  assert.equal(await title(image.body.mediaType), 'OCI image manifest');
  assert.equal(await title(image.body.config.mediaType), 'OCI image config');
  assert.equal(await title(image.body.layers[0].mediaType), 'OCI layer (tar+gzip)');
  assert.equal(image.body.annotations['org.opencontainers.image.title'], 'demo OCI image');
  assert.equal(await title('org.opencontainers.image.title'), 'A human-readable title');

  const link = page.getByTestId('raw-config-link');
  assert.equal((await link.textContent()).trim(), image.body.config.digest);
  await link.click();
  await page.waitForFunction(() => location.hash === '#image-config');
  const config = page.locator('#image-config');
  assert.ok(await config.isVisible());
  // The config blob, fetched straight from the registry: the page shows it byte for byte.
  const blob = await fetch(`http://${world.registry.host}/v2/demo/oci-image/blobs/${image.body.config.digest}`);
  assert.equal(blob.status, 200);
  const bytes = await blob.text();
  const details = config.getByTestId('config-raw');
  await details.locator('summary').click();
  assert.equal(await details.locator('pre').textContent(), bytes);
  await page.close();
});
