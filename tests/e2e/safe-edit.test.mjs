// Safe edits in the real page: "Edit as new index" records the digest the
// edit started from; when someone moves the tag before Push, the push is
// refused, the tag is left where the other push put it, and the page shows
// both digests and a link to compare them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startRegistry, seedDemo, startProxy, launchBrowser, registryManifest } from './harness.mjs';

let registry, proxy, browser;

before(async () => {
  registry = await startRegistry();
  seedDemo(registry.host);
  proxy = await startProxy([registry.host]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  proxy?.stop();
  registry?.stop();
});

const sha256 = (text) => 'sha256:' + createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

/** PUT a manifest list to `repo:tag` at the registry itself (someone else's push). */
async function putList(repo, tag, text) {
  const r = await fetch(`http://${registry.host}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.list.v2+json' },
    body: text,
  });
  assert.equal(r.status, 201, `PUT ${repo}:${tag}: ${await r.text()}`);
  return r.headers.get('docker-content-digest');
}

test('a tag moved while the edit was open is not overwritten, and the page says what changed', async () => {
  const original = await registryManifest(registry.host, 'demo/multiarch', 'latest');
  const started = await putList('demo/multiarch', 'safe', original.text);
  assert.equal(started, original.digest);

  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  const ref = `${registry.host}/demo/multiarch:safe`;
  await page.goto(`${proxy.url}/?ref=${encodeURIComponent(ref)}`);
  await page.getByTestId('summary').waitFor();
  await page.getByTestId('edit-as-new').click();
  await page.getByTestId('create-page').waitFor();
  const notice = page.getByTestId('expect-notice');
  await notice.waitFor();
  assert.match(await notice.textContent(), new RegExp(started));

  // Someone else pushes a two-platform list to the same tag meanwhile.
  const theirs = JSON.stringify({ ...original.body, manifests: original.body.manifests.slice(0, 2) });
  const moved = await putList('demo/multiarch', 'safe', theirs);
  assert.equal(moved, sha256(theirs));

  await page.getByTestId('preview-button').click();
  await page.getByTestId('preview').waitFor({ timeout: 60000 });
  await page.getByTestId('push-button').click();
  const error = page.getByTestId('push-error');
  await error.waitFor({ timeout: 120000 });
  assert.match(await error.textContent(), /TAG_MOVED/);
  const panel = page.getByTestId('push-moved');
  await panel.waitFor();
  assert.match(await page.getByTestId('moved-old').textContent(), new RegExp(started));
  assert.match(await page.getByTestId('moved-now').textContent(), new RegExp(moved));
  const compare = new URL(await page.getByTestId('moved-compare').getAttribute('href'), proxy.url);
  assert.equal(compare.pathname, '/compare');
  assert.equal(compare.searchParams.get('a'), `${registry.host}/demo/multiarch@${started}`);
  assert.equal(compare.searchParams.get('b'), `${registry.host}/demo/multiarch@${moved}`);
  // The other push stands.
  assert.equal((await registryManifest(registry.host, 'demo/multiarch', 'safe')).digest, moved);

  // Overwriting on purpose is one click away: without the check it pushes.
  await page.getByTestId('expect-clear').click();
  assert.equal(await page.getByTestId('expect-notice').count(), 0);
  await page.getByTestId('preview-button').click();
  await page.getByTestId('preview').waitFor({ timeout: 60000 });
  await page.getByTestId('push-button').click();
  await page.getByTestId('push-digest').waitFor({ timeout: 120000 });
  // Our bytes are compact JSON, the seeded list indented: the content is the same.
  assert.deepEqual((await registryManifest(registry.host, 'demo/multiarch', 'safe')).body, original.body);
  await page.close();
});
