// A repository's tags (from the breadcrumbs), a comparison of two
// references (from "Compare with..."), and where the bytes go, in the real
// page against the real proxy and registry. Each page is its own module,
// reached by a full load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoWorld, platformString } from './harness.mjs';

const world = demoWorld();
const { registryManifest, open } = world;

const texts = async (locator) => (await locator.allTextContents()).map((s) => s.trim());

test('the repository crumb lists its tags; the filter narrows them; a tag inspects', async () => {
  const page = await world.browser.newPage();
  await open(page, `${world.registry.host}/demo/app:amd64`);
  await page.getByTestId('crumb-repository').click();
  await page.getByTestId('tag-list').waitFor();
  const url = new URL(page.url());
  assert.equal(url.pathname, '/tags');
  assert.equal(url.searchParams.get('repository'), `${world.registry.host}/demo/app`);

  const listed = await (await fetch(`http://${world.registry.host}/v2/demo/app/tags/list`)).json();
  const shown = await texts(page.getByTestId('tag-link'));
  assert.deepEqual([...shown].sort(), [...listed.tags].sort());
  assert.ok(shown.length >= 4, `${shown}`);

  await page.getByTestId('tags-filter').fill('arm');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="tag-link"]').length === 2);
  assert.deepEqual((await texts(page.getByTestId('tag-link'))).sort(), ['arm64', 'armv7']);
  assert.match(await page.getByTestId('tags-count').textContent(), /^2 of \d+ tags/);

  await page.getByTestId('tag-link').filter({ hasText: 'armv7' }).click();
  await page.getByTestId('summary').waitFor();
  assert.equal(new URL(page.url()).searchParams.get('ref'), `${world.registry.host}/demo/app:armv7`);
  await page.close();
});

test('compare with: a shareable URL; an index against itself by digest is identical everywhere', async () => {
  const page = await world.browser.newPage();
  const ref = `${world.registry.host}/demo/multiarch:latest`;
  await open(page, ref);
  await page.getByTestId('compare-with').click();
  await page.getByTestId('compare-b').waitFor();
  const expected = await registryManifest('demo/multiarch', 'latest');
  await page.getByTestId('compare-b').fill(`${world.registry.host}/demo/multiarch@${expected.digest}`);
  await page.getByTestId('compare-button').click();
  await page.getByTestId('compare-both').waitFor();
  const url = page.url();
  assert.equal(new URL(url).pathname, '/compare');

  const platforms = expected.body.manifests
    .filter((m) => m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest')
    .map((m) => platformString(m.platform));
  assert.deepEqual(await texts(page.getByTestId('compare-both').locator('li')), platforms);
  assert.equal(await page.getByTestId('compare-only-a').locator('li').count(), 0);
  const verdicts = await texts(page.getByTestId('compare-verdict'));
  assert.deepEqual(verdicts, platforms.map(() => 'identical'));
  assert.equal(await page.getByTestId('compare-config').locator('tr').count(), 0);

  // The URL alone gives the same comparison.
  const again = await world.browser.newPage();
  await again.goto(url);
  await again.getByTestId('compare-both').waitFor();
  assert.deepEqual(await texts(again.getByTestId('compare-both').locator('li')), platforms);
  await again.close();
  await page.close();
});

test('two different images: layers only in each side and their config differences', async () => {
  const page = await world.browser.newPage();
  const a = `${world.registry.host}/demo/app:amd64`;
  const b = `${world.registry.host}/demo/app:s390x`;
  await page.goto(`${world.proxy.url}/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  await page.getByTestId('compare-platform').waitFor();
  assert.deepEqual(await texts(page.getByTestId('compare-verdict')), ['different']);
  assert.deepEqual(await texts(page.getByTestId('compare-only-a').locator('li')), ['linux/amd64']);
  assert.deepEqual(await texts(page.getByTestId('compare-only-b').locator('li')), ['linux/s390x']);
  await page.close();
});

test('where the bytes go: from an inspection, numbers and bars', async () => {
  const page = await world.browser.newPage();
  await open(page, `${world.registry.host}/demo/multiarch:latest`);
  await page.getByTestId('sizes-link').click();
  await page.getByTestId('footprint').waitFor();
  assert.equal(new URL(page.url()).pathname, '/sizes');
  const rows = await page.getByTestId('footprint-platforms').locator('tr').count();
  const expected = await registryManifest('demo/multiarch', 'latest');
  const images = expected.body.manifests.filter(
    (m) => m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest',
  );
  assert.equal(rows, images.length);
  assert.ok((await page.getByTestId('footprint-layers').locator('tr').count()) > 0);
  assert.match(await page.getByTestId('footprint-unique').textContent(), /\d/);
  await page.close();
});

test('from an inspection, the tag list marks the tags pointing at the inspected digest', async () => {
  // A second tag on demo/app:s390x's manifest, written straight to the registry.
  const s390x = await registryManifest('demo/app', 's390x');
  const put = await fetch(`http://${world.registry.host}/v2/demo/app/manifests/s390x-stable`, {
    method: 'PUT',
    headers: { 'Content-Type': s390x.type },
    body: s390x.text,
  });
  assert.equal(put.status, 201);

  const page = await world.browser.newPage();
  await open(page, `${world.registry.host}/demo/app:s390x`);
  await page.getByTestId('crumb-repository').click();
  await page.getByTestId('pointing-summary').waitFor();
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('digest'), s390x.digest);

  const listed = (await (await fetch(`http://${world.registry.host}/v2/demo/app/tags/list`)).json()).tags;
  const marked = await texts(page.locator('li.pointing [data-testid="tag-link"]'));
  assert.deepEqual(marked.sort(), ['s390x', 's390x-stable']);
  assert.equal(await page.getByTestId('tag-pointing').count(), 2);
  assert.equal(
    await page.getByTestId('pointing-summary').textContent(),
    `${listed.length} of ${listed.length} tags checked; 2 point at ${s390x.digest.slice(0, 19)}…`,
  );

  // The same URL opened afresh marks the same tags; without digest= none.
  const again = await world.browser.newPage();
  await again.goto(page.url());
  await again.getByTestId('pointing-summary').waitFor();
  assert.equal(await again.getByTestId('tag-pointing').count(), 2);
  await again.goto(`${world.proxy.url}/tags?repository=${encodeURIComponent(`${world.registry.host}/demo/app`)}`);
  await again.getByTestId('tag-list').waitFor();
  assert.equal(await again.getByTestId('pointing-summary').count(), 0);
  assert.equal(await again.getByTestId('tag-pointing').count(), 0);
  await again.close();
  await page.close();
});
