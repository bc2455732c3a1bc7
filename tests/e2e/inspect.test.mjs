// Inspect in the real page: type a reference, see platforms and digests that
// match what the registry itself reports; share the URL; go back and forward.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { demoWorld, artifacts, platformString } from './harness.mjs';

const world = demoWorld();
const { registryManifest } = world;

test('typing a reference shows the platforms and digests of a manifest list', async () => {
  const page = await world.browser.newPage();
  await page.goto(world.proxy.url + '/');
  const ref = `${world.registry.host}/demo/multiarch:latest`;
  await page.getByTestId('ref-input').fill(ref);
  await page.getByTestId('ref-input').press('Enter');
  await page.getByTestId('summary').waitFor();

  const expected = await registryManifest('demo/multiarch', 'latest');
  assert.equal((await page.getByTestId('digest').textContent()).trim(), expected.digest);
  assert.equal((await page.getByTestId('multi-platform').textContent()).trim(), 'yes');

  const shown = (await page.getByTestId('platform').allTextContents()).map((s) => s.trim());
  const want = expected.body.manifests.map((m) => platformString(m.platform));
  assert.deepEqual(shown, want);
  assert.ok(want.some((p) => p.startsWith('windows/amd64:')), 'the demo list has a Windows entry with os.version');

  const rows = page.getByTestId('entry-row');
  assert.equal(await rows.count(), expected.body.manifests.length);
  const digests = (await page.getByTestId('entry-digest').allTextContents()).map((s) => s.trim());
  assert.deepEqual(digests, expected.body.manifests.map((m) => m.digest));

  // The URL carries the reference, so it can be shared.
  assert.equal(new URL(page.url()).searchParams.get('ref'), ref);
  await page.screenshot({ path: join(artifacts, 'inspect-manifest-list.png'), fullPage: true });
  await page.close();
});

test('a shared URL opens the inspection; clicking an entry digest navigates; back and forward work', async () => {
  const page = await world.browser.newPage();
  const ref = `${world.registry.host}/demo/multiarch:latest`;
  await page.goto(`${world.proxy.url}/?ref=${encodeURIComponent(ref)}`);
  await page.getByTestId('entries').waitFor();
  const firstDigest = (await page.getByTestId('entry-digest').first().textContent()).trim();
  await page.getByTestId('entry-digest').first().click();
  await page.waitForFunction(
    (d) => document.querySelector('[data-testid="digest"]')?.textContent.trim() === d,
    firstDigest,
  );
  assert.equal((await page.getByTestId('multi-platform').textContent()).trim(), 'no');
  await page.getByTestId('layers').waitFor();
  await page.getByTestId('image-config').waitFor();
  assert.ok(new URL(page.url()).searchParams.get('ref').endsWith(`@${firstDigest}`));

  await page.goBack();
  await page.getByTestId('entries').waitFor();
  assert.equal(new URL(page.url()).searchParams.get('ref'), ref);
  await page.goForward();
  await page.waitForFunction(
    (d) => document.querySelector('[data-testid="digest"]')?.textContent.trim() === d,
    firstDigest,
  );
  await page.close();
});

test('a single image shows its config and layers; the raw view is the exact bytes', async () => {
  const page = await world.browser.newPage();
  const ref = `${world.registry.host}/demo/single:1.0`;
  await page.goto(`${world.proxy.url}/?ref=${encodeURIComponent(ref)}`);
  await page.getByTestId('summary').waitFor();
  const expected = await registryManifest('demo/single', '1.0');
  assert.equal((await page.getByTestId('digest').textContent()).trim(), expected.digest);
  assert.equal((await page.getByTestId('multi-platform').textContent()).trim(), 'no');
  await page.getByTestId('image-config').waitFor();
  const layerRows = await page.getByTestId('layers').locator('tbody tr').count();
  assert.equal(layerRows, expected.body.layers.length);
  const raw = await page.getByTestId('raw-json').textContent();
  assert.deepEqual(JSON.parse(raw), expected.body);
  await page.close();
});

test('a missing tag is explained in place', async () => {
  const page = await world.browser.newPage();
  await page.goto(world.proxy.url + '/');
  await page.getByTestId('ref-input').fill(`${world.registry.host}/demo/multiarch:no-such-tag`);
  await page.getByTestId('inspect-button').click();
  const error = page.getByTestId('error');
  await error.waitFor();
  assert.match(await error.textContent(), /no-such-tag/);
  await page.close();
});
