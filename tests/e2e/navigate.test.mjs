// Walking the graph in the real page: digests in the raw view and the
// breadcrumbs navigate (and back/forward retrace it), the entries filter and
// sort, attestations under their image, each platform's config on demand,
// and manifest-tool's text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoWorld, platformString } from './harness.mjs';

const world = demoWorld();
const { registryManifest, open } = world;


const shownDigest = (page, d) =>
  page.waitForFunction((d) => document.querySelector('[data-testid="digest"]')?.textContent.trim() === d, d);

test('digests in the raw view inspect that manifest; back and forward retrace', async () => {
  const page = await world.browser.newPage();
  const ref = `${world.registry.host}/demo/multiarch:latest`;
  await open(page, ref);
  const expected = await registryManifest('demo/multiarch', 'latest');
  // The raw view is built once the page is idle, after the table.
  await page.getByTestId('raw-json').waitFor();
  const links = page.getByTestId('raw-link');
  const linked = (await links.allTextContents()).map((s) => s.trim());
  assert.deepEqual(linked, expected.body.manifests.map((m) => m.digest));
  // The raw view is still exactly the registry's bytes.
  assert.deepEqual(JSON.parse(await page.getByTestId('raw-json').textContent()), expected.body);

  const second = expected.body.manifests[1].digest;
  await links.nth(1).click();
  await shownDigest(page, second);
  assert.ok(new URL(page.url()).searchParams.get('ref').endsWith(`@${second}`));
  // An image's layer digests name blobs: not inspect links. Its config
  // digest jumps to the config shown on the same page instead (counted once
  // this image's raw view is there).
  await page.getByTestId('raw-config-link').waitFor();
  assert.equal(await page.getByTestId('raw-link').count(), 0);
  assert.equal(await page.getByTestId('raw-config-link').count(), 1);

  await page.goBack();
  await shownDigest(page, expected.digest);
  assert.equal(new URL(page.url()).searchParams.get('ref'), ref);
  await page.goForward();
  await shownDigest(page, second);
  await page.close();
});

test('breadcrumbs name registry / repository / tag / digest and navigate', async () => {
  const page = await world.browser.newPage();
  const ref = `${world.registry.host}/demo/multiarch:latest`;
  await open(page, ref);
  const expected = await registryManifest('demo/multiarch', 'latest');
  const crumbs = page.getByTestId('breadcrumbs');
  assert.equal((await crumbs.getByTestId('crumb-registry').textContent()).trim(), world.registry.host);
  assert.equal((await crumbs.getByTestId('crumb-repository').textContent()).trim(), 'demo/multiarch');
  assert.equal((await crumbs.getByTestId('crumb-tag').textContent()).trim(), ':latest');

  // The digest crumb pins the object: same digest, reference by digest, no tag crumb.
  await crumbs.getByTestId('crumb-digest').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="crumb-tag"]'));
  await shownDigest(page, expected.digest);
  assert.equal(new URL(page.url()).searchParams.get('ref'), `${world.registry.host}/demo/multiarch@${expected.digest}`);

  // Back to the tag.
  await page.goBack();
  await page.getByTestId('crumb-tag').waitFor();
  assert.equal(new URL(page.url()).searchParams.get('ref'), ref);
  await page.close();
});

test('the entries filter and sort', async () => {
  const page = await world.browser.newPage();
  await open(page, `${world.registry.host}/demo/multiarch:latest`);
  const expected = await registryManifest('demo/multiarch', 'latest');
  const all = expected.body.manifests.map((m) => platformString(m.platform));
  const rows = page.getByTestId('entry-row');
  assert.equal(await rows.count(), all.length);

  await page.getByTestId('entries-filter').fill('arm');
  const arm = all.filter((p) => p.includes('arm'));
  assert.ok(arm.length > 0 && arm.length < all.length);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="entry-row"]').length === n, arm.length);
  assert.deepEqual((await page.getByTestId('entry-platform').allTextContents()).map((s) => s.trim()), arm);

  await page.getByTestId('entries-filter').fill('windows 17763');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="entry-row"]').length === 1);
  await page.getByTestId('entries-filter').fill('no-such-platform');
  await page.getByTestId('entries-empty').waitFor();

  await page.getByTestId('entries-filter').fill('');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="entry-row"]').length === n, all.length);
  await page.getByTestId('entries-sort').selectOption('platform');
  await page.waitForFunction(
    (want) => [...document.querySelectorAll('[data-testid="entry-platform"]')].map((e) => e.textContent.trim()).join() === want,
    [...all].sort().join(),
  );
  await page.close();
});

test('attestations are listed under their image, with predicate types, not as platforms', async () => {
  const page = await world.browser.newPage();
  await open(page, `${world.registry.host}/demo/oci-index:1.0`);
  const expected = await registryManifest('demo/oci-index', '1.0');
  const images = expected.body.manifests.filter((m) => m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest');
  const attestations = expected.body.manifests.filter((m) => !images.includes(m));
  assert.ok(attestations.length > 0);
  assert.equal(await page.getByTestId('entry-row').count(), images.length);
  assert.equal(await page.getByTestId('platform').count(), images.length);
  const attested = (await page.getByTestId('attestation-digest').allTextContents()).map((s) => s.trim());
  assert.deepEqual(attested.sort(), attestations.map((a) => a.digest).sort());
  const types = (await page.getByTestId('predicate-type').allTextContents()).map((s) => s.trim());
  assert.ok(types.length >= attestations.length && types.every((t) => t.startsWith('https://')), `${types}`);
  await page.close();
});

test("an expanded entry shows that platform's own config", async () => {
  const page = await world.browser.newPage();
  await open(page, `${world.registry.host}/demo/multiarch:latest`);
  const expected = await registryManifest('demo/multiarch', 'latest');
  const last = expected.body.manifests.length - 1;
  await page.getByTestId('entry-row').nth(last).locator('button.expander').click();
  const config = page.getByTestId('entry-config');
  await config.waitFor();
  const text = await config.textContent();
  assert.ok(text.includes(platformString(expected.body.manifests[last].platform)), text);
  await page.close();
});

test('copy as manifest-tool text', async () => {
  const context = await world.browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.proxy.url });
  const page = await context.newPage();
  const ref = `${world.registry.host}/demo/multiarch:latest`;
  await open(page, ref);
  const expected = await registryManifest('demo/multiarch', 'latest');
  await page.getByTestId('copy-text').click();
  const text = await page.getByTestId('manifest-tool-text').textContent();
  const n = expected.body.manifests.length;
  assert.ok(text.startsWith(`Name:   ${ref} (Type: application/vnd.docker.distribution.manifest.list.v2+json)\nDigest: ${expected.digest}\n * Contains ${n} manifest references (${n} images, 0 attestation):\n`), text);
  assert.ok(text.includes('OS Vers: 10.0.17763.2565'), text);
  const clip = await page.evaluate(() => navigator.clipboard.readText().catch(() => null));
  if (clip !== null) assert.equal(clip, text);
  await context.close();
});

test('a slow answer to an earlier reference never replaces a newer one', async () => {
  const page = await world.browser.newPage();
  const slowRef = `${world.registry.host}/demo/multiarch:latest`;
  const newRef = `${world.registry.host}/demo/oci-index:1.0`;
  const newer = await registryManifest('demo/oci-index', '1.0');
  let asked;
  const slowAsked = new Promise((ok) => (asked = ok));
  let release;
  const released = new Promise((ok) => (release = ok));
  let answered;
  const slowAnswered = new Promise((ok) => (answered = ok));
  // The first inspection's real answer is held back until the second one is shown.
  await page.route(
    (url) => url.pathname === '/api/v1/inspect' && url.searchParams.get('ref') === slowRef && !url.searchParams.has('format'),
    async (route) => {
      asked();
      const response = await route.fetch();
      await released;
      await route.fulfill({ response });
      answered();
    },
  );
  await page.goto(`${world.proxy.url}/?ref=${encodeURIComponent(slowRef)}`);
  await slowAsked;
  await page.getByTestId('loading').waitFor();
  await page.getByTestId('ref-input').fill(newRef);
  await page.getByTestId('ref-input').press('Enter');
  await shownDigest(page, newer.digest);
  release();
  await slowAnswered;
  // Give the page time to (wrongly) show the late answer.
  await page.waitForTimeout(500);
  assert.equal((await page.getByTestId('digest').textContent()).trim(), newer.digest);
  assert.equal(new URL(page.url()).searchParams.get('ref'), newRef);
  await page.close();
});
