// The attestation page in the real browser: reached from an inspection's
// attestation entry (provenance), and an SBOM statement pushed to the
// registry as buildx does, shown as a table that filters as you type.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startRegistry, seedDemo, startProxy, launchBrowser } from './harness.mjs';

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

const digestOf = (bytes) => 'sha256:' + createHash('sha256').update(bytes).digest('hex');

/** A blob, uploaded in one PUT at the registry itself; its descriptor. */
async function putBlob(repo, mediaType, text, annotations) {
  const bytes = Buffer.from(text, 'utf8');
  const digest = digestOf(bytes);
  const start = await fetch(`http://${registry.host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202);
  const location = new URL(start.headers.get('location'), `http://${registry.host}`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
  assert.equal(put.status, 201, await put.text());
  return { mediaType, digest, size: bytes.length, ...(annotations ? { annotations } : {}) };
}

test('an inspection links to what its attestation says', async () => {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(`${proxy.url}/?ref=${encodeURIComponent(`${registry.host}/demo/oci-index:1.0`)}`);
  await page.getByTestId('summary').waitFor();
  await page.getByTestId('attestation-open').first().click();
  await page.getByTestId('attestation-page').waitFor();
  assert.equal(new URL(page.url()).pathname, '/attestation');
  await page.getByTestId('provenance').waitFor();
  assert.equal((await page.getByTestId('provenance-builder').textContent()).trim(), 'manifest-web-tests');
  assert.equal(await page.getByTestId('document-raw').count(), 1);
  await page.close();
});

test('an SBOM attestation is a table that filters as you type', async () => {
  const packages = [
    ['busybox', '1.36.1-r15', 'GPL-2.0-only'],
    ['musl', '1.2.4-r2', 'MIT'],
    ['zlib', '1.3.1-r0', 'Zlib'],
    ['openssl', '3.1.4-r5', 'Apache-2.0'],
  ].map(([name, versionInfo, licenseConcluded]) => ({
    name,
    versionInfo,
    licenseConcluded,
    externalRefs: [{ referenceType: 'purl', referenceLocator: `pkg:apk/alpine/${name}@${versionInfo}` }],
  }));
  const statement = JSON.stringify({
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://spdx.dev/Document',
    subject: [],
    predicate: { spdxVersion: 'SPDX-2.3', name: 'sbom', packages },
  });
  const repo = 'e2e/sbom';
  const layer = await putBlob(repo, 'application/vnd.in-toto+json', statement, {
    'in-toto.io/predicate-type': 'https://spdx.dev/Document',
  });
  const config = await putBlob(repo, 'application/vnd.oci.image.config.v1+json',
    JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [layer.digest] } }));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config,
    layers: [layer],
  });
  const put = await fetch(`http://${registry.host}/v2/${repo}/manifests/att`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  assert.equal(put.status, 201, await put.text());
  const reference = `${registry.host}/${repo}@${digestOf(Buffer.from(manifest, 'utf8'))}`;

  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(`${proxy.url}/attestation?ref=${encodeURIComponent(reference)}`);
  await page.getByTestId('sbom').waitFor();
  assert.match(await page.getByTestId('sbom-heading').textContent(), /SPDX-2\.3 · 4 packages/);
  const rows = page.getByTestId('sbom-row');
  assert.equal(await rows.count(), 4);
  const cells = await rows.nth(1).locator('td').allTextContents();
  assert.deepEqual(cells, ['musl', '1.2.4-r2', 'MIT', 'pkg:apk/alpine/musl@1.2.4-r2']);

  await page.getByTestId('sbom-filter').fill('apache');
  await page.getByTestId('sbom-matching').filter({ hasText: '1 shown' }).waitFor();
  assert.equal(await rows.count(), 1);
  assert.equal(await rows.first().locator('td').first().textContent(), 'openssl');
  await page.getByTestId('sbom-filter').fill('PKG:APK');
  await page.getByTestId('sbom-matching').filter({ hasText: '4 shown' }).waitFor();
  await page.getByTestId('sbom-filter').fill('nothing-like-this');
  await page.getByTestId('sbom-matching').filter({ hasText: '0 shown' }).waitFor();
  assert.equal(await rows.count(), 0);
  await page.close();
});
