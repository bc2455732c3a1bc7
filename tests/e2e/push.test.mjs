// Create and push in the real page: fill the form (or expand a template, or
// import YAML), preview, push, and check with the registry itself that the tag
// holds exactly the previewed bytes. Credentials typed into the panel reach a
// protected registry and are gone after a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { startRegistry, seedDemo, startProxy, launchBrowser, artifacts, registryManifest as registryManifestAt } from './harness.mjs';

const USER = 'e2e-user';
const PASSWORD = 'e2e-s3cret';

let registry, privateRegistry, proxy, browser;
const registryManifest = (repo, ref) => registryManifestAt(registry.host, repo, ref);

before(async () => {
  registry = await startRegistry();
  seedDemo(registry.host);
  privateRegistry = await startRegistry({ htpasswd: { user: USER, password: PASSWORD } });
  seedDemo(privateRegistry.host, ['--username', USER, '--password', PASSWORD]);
  proxy = await startProxy([registry.host, privateRegistry.host]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  proxy?.stop();
  registry?.stop();
  privateRegistry?.stop();
});

function sha256(text) {
  return 'sha256:' + createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
}

async function text(locator) {
  return (await locator.textContent()).trim();
}

async function openCreatePage() {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(proxy.url + '/create');
  await page.getByTestId('create-page').waitFor();
  return page;
}

async function preview(page) {
  await page.getByTestId('preview-button').click();
  await Promise.race([
    page.getByTestId('preview').waitFor({ timeout: 60000 }),
    page
      .getByTestId('preview-error')
      .waitFor({ timeout: 60000 })
      .then(async () => assert.fail(`preview failed: ${await text(page.getByTestId('preview-error'))}`)),
  ]);
}

test('the type is automatic by default and the preview says what it chose', async () => {
  const page = await openCreatePage();
  const select = page.getByTestId('type-select');
  assert.equal(await select.inputValue(), 'auto');
  assert.match(await text(select.locator('option:checked')), /^automatic/);
  await page.getByTestId('target-input').fill(`${registry.host}/e2e/auto:1`);
  const row = page.getByTestId('entry-form-row').nth(0);

  // A Docker schema 2 source: a Docker manifest list.
  await row.getByTestId('entry-image').fill(`${registry.host}/demo/app:amd64`);
  await preview(page);
  let index = JSON.parse(await page.getByTestId('preview-index').textContent());
  assert.equal(index.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
  assert.match(await text(page.getByTestId('preview-type-note')), /Docker manifest list/);

  // An OCI image source: an OCI index, and the note names the source.
  await row.getByTestId('entry-image').fill(`${registry.host}/demo/oci-image:1.0`);
  await preview(page);
  await page.getByTestId('preview-index').filter({ hasText: 'application/vnd.oci.image.index.v1+json' }).waitFor();
  index = JSON.parse(await page.getByTestId('preview-index').textContent());
  assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
  const note = await text(page.getByTestId('preview-type-note'));
  assert.match(note, /OCI image index/);
  assert.match(note, /demo\/oci-image:1\.0/);
  await page.close();
});

test('a form with two sources previews and pushes exactly the previewed index', async () => {
  const page = await openCreatePage();
  const target = `${registry.host}/e2e/form:1.0`;
  await page.getByTestId('target-input').fill(target);
  await page.getByTestId('tags-input').fill('latest');

  // Three rows; the spare one is removed and the order is fixed with "up".
  await page.getByTestId('add-entry').click();
  await page.getByTestId('add-entry').click();
  const rows = page.getByTestId('entry-form-row');
  assert.equal(await rows.count(), 3);
  await rows.nth(0).getByTestId('entry-image').fill(`${registry.host}/demo/app:armv7`);
  await rows.nth(1).getByTestId('entry-image').fill(`${registry.host}/demo/app:amd64`);
  await rows.nth(1).getByTestId('entry-os').fill('linux');
  await rows.nth(1).getByTestId('entry-arch').fill('amd64');
  await rows.nth(2).getByTestId('entry-image').fill(`${registry.host}/demo/app:s390x`);
  await rows.nth(2).getByTestId('entry-remove').click();
  assert.equal(await rows.count(), 2);
  assert.ok(await rows.nth(0).getByTestId('entry-up').isDisabled(), 'the first row cannot move up');
  await rows.nth(1).getByTestId('entry-up').click();
  assert.equal(await rows.nth(0).getByTestId('entry-image').inputValue(), `${registry.host}/demo/app:amd64`);
  assert.equal(await rows.nth(0).getByTestId('entry-arch').inputValue(), 'amd64');
  assert.equal(await rows.nth(1).getByTestId('entry-image').inputValue(), `${registry.host}/demo/app:armv7`);
  assert.equal(await rows.nth(1).getByTestId('entry-arch').inputValue(), '');

  // "Fill from source" reads the platform from the image's config.
  await rows.nth(1).getByTestId('entry-fill').click();
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="entry-arch"]')[1]?.value === 'arm',
    null,
    { timeout: 30000 },
  );
  assert.equal(await rows.nth(1).getByTestId('entry-os').inputValue(), 'linux');
  assert.equal(await rows.nth(1).getByTestId('entry-variant').inputValue(), 'v7');

  // Push stays disabled until a preview of the current spec exists.
  assert.ok(await page.getByTestId('push-button').isDisabled());
  await preview(page);
  const previewDigest = await text(page.getByTestId('preview-digest'));
  const previewIndex = await page.getByTestId('preview-index').textContent();
  assert.equal(sha256(previewIndex), previewDigest, 'the shown digest is the digest of the shown bytes');
  // Whose login will write: nobody's, the sandbox is open.
  assert.deepEqual(await page.getByTestId('credentials-used').allTextContents(), [`${registry.host}: none (anonymous)`]);
  const platforms = (await page.getByTestId('preview-platform').allTextContents()).map((s) => s.trim());
  assert.deepEqual(platforms, ['linux/amd64', 'linux/arm/v7']);

  // Any edit invalidates the preview; previewing again re-enables Push.
  await page.getByTestId('tags-input').fill('latest, stable');
  assert.ok(await page.getByTestId('push-button').isDisabled(), 'an edit disables Push');
  await page.getByTestId('preview-stale').waitFor();
  await page.getByTestId('tags-input').fill('latest');
  await preview(page);
  assert.equal(await text(page.getByTestId('preview-digest')), previewDigest);
  assert.ok(await page.getByTestId('push-button').isEnabled());

  await page.getByTestId('push-button').click();
  await Promise.race([
    page.getByTestId('push-digest').waitFor({ timeout: 120000 }),
    page
      .getByTestId('push-error')
      .waitFor({ timeout: 120000 })
      .then(async () => assert.fail(`push failed: ${await text(page.getByTestId('push-error'))}`)),
  ]);
  const pushed = await text(page.getByTestId('push-digest'));
  assert.equal(pushed, previewDigest);
  const steps = page.getByTestId('push-step');
  assert.ok((await steps.count()) >= 2, 'the steps are listed');
  const states = await steps.evaluateAll((els) => els.map((e) => e.dataset.state));
  assert.ok(states.every((s) => s === 'done'), `every step is done: ${states}`);
  await page.screenshot({ path: join(artifacts, 'create-pushed.png'), fullPage: true });

  // The registry itself: both tags hold the previewed bytes under that digest.
  for (const tag of ['1.0', 'latest']) {
    const m = await registryManifest('e2e/form', tag);
    assert.equal(m.digest, pushed, `Docker-Content-Digest of e2e/form:${tag}`);
    assert.equal(m.text, previewIndex, `bytes of e2e/form:${tag}`);
    assert.equal(m.type, 'application/vnd.docker.distribution.manifest.list.v2+json');
  }

  // The link inspects the result.
  await page.getByTestId('push-inspect').click();
  await page.getByTestId('summary').waitFor();
  assert.equal(await text(page.getByTestId('digest')), pushed);
  await page.close();
});

test('a platform list and a template fill the rows, which then preview', async () => {
  const page = await openCreatePage();
  await page.getByTestId('target-input').fill(`${registry.host}/e2e/template:1`);
  await page.getByTestId('tpl-platforms').fill('linux/amd64,linux/arm64');
  await page.getByTestId('tpl-template').fill(`${registry.host}/demo/app:ARCH`);
  await page.getByTestId('tpl-expand').click();
  const rows = page.getByTestId('entry-form-row');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="entry-form-row"]').length === 2);
  assert.equal(await rows.nth(0).getByTestId('entry-image').inputValue(), `${registry.host}/demo/app:amd64`);
  assert.equal(await rows.nth(1).getByTestId('entry-image').inputValue(), `${registry.host}/demo/app:arm64`);
  assert.equal(await rows.nth(1).getByTestId('entry-os').inputValue(), 'linux');
  assert.equal(await rows.nth(1).getByTestId('entry-arch').inputValue(), 'arm64');
  await preview(page);
  assert.equal(await page.getByTestId('preview-row').count(), 2);
  const sources = (await page.getByTestId('preview-source').allTextContents()).map((s) => s.trim());
  assert.ok(sources[1].endsWith('demo/app:arm64'), sources.join(' '));

  // A template that gives every platform the same image is refused in place.
  await page.getByTestId('tpl-template').fill(`${registry.host}/demo/app:amd64`);
  await page.getByTestId('tpl-expand').click();
  await page.getByTestId('tpl-error').waitFor();
  assert.match(await text(page.getByTestId('tpl-error')), /placeholder/);
  // ...and leaves the rows alone.
  assert.equal(await rows.count(), 2);
  await page.close();
});

test('a manifest-tool YAML spec fills the form; a YAML error names its line', async () => {
  const page = await openCreatePage();
  const yaml = [
    `image: ${registry.host}/e2e/yaml:2`,
    'tags: [two, latest]',
    'type: oci',
    'annotations:',
    '  org.opencontainers.image.title: from yaml',
    'manifests:',
    `  - image: ${registry.host}/demo/app:s390x`,
    '    platform:',
    '      os: linux',
    '      architecture: s390x',
    `  - image: ${registry.host}/demo/app:armv7`,
    '    platform:',
    '      architecture: arm',
    '      os: linux',
    '      variant: v7',
    '',
  ].join('\n');
  await page.getByTestId('yaml-text').fill(yaml);
  await page.getByTestId('yaml-import').click();
  await page.getByTestId('yaml-status').waitFor();
  assert.equal(await page.getByTestId('target-input').inputValue(), `${registry.host}/e2e/yaml:2`);
  assert.equal(await page.getByTestId('tags-input').inputValue(), 'two, latest');
  assert.equal(await page.getByTestId('type-select').inputValue(), 'oci');
  assert.match(await page.getByTestId('index-annotations').inputValue(), /org\.opencontainers\.image\.title=from yaml/);
  const rows = page.getByTestId('entry-form-row');
  assert.equal(await rows.count(), 2);
  assert.equal(await rows.nth(0).getByTestId('entry-arch').inputValue(), 's390x');
  assert.equal(await rows.nth(1).getByTestId('entry-variant').inputValue(), 'v7');

  // The imported spec previews as an OCI index carrying the annotation.
  await preview(page);
  const index = JSON.parse(await page.getByTestId('preview-index').textContent());
  assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.equal(index.annotations['org.opencontainers.image.title'], 'from yaml');

  // Export writes the form back out in the same format.
  await page.getByTestId('yaml-export').click();
  const exported = await page.getByTestId('yaml-text').inputValue();
  assert.match(exported, /^image: /m);
  assert.match(exported, /^type: oci$/m);
  assert.match(exported, /architecture: s390x/);

  // A typo is an error naming the line, shown in place; the form is kept.
  const bad = [`image: ${registry.host}/e2e/yaml:3`, 'manifests:', `  - image: ${registry.host}/demo/app:amd64`, '    platfrom:', '      os: linux', ''].join('\n');
  await page.getByTestId('yaml-text').fill(bad);
  await page.getByTestId('yaml-import').click();
  await page.getByTestId('yaml-error').waitFor();
  const message = await text(page.getByTestId('yaml-error'));
  assert.match(message, /line 4/, message);
  assert.match(message, /platfrom/, message);
  assert.equal(await page.getByTestId('target-input').inputValue(), `${registry.host}/e2e/yaml:2`);
  await page.close();
});

test('"Edit as new index" loads an inspected list into the form', async () => {
  const page = await browser.newPage();
  const ref = `${registry.host}/demo/multiarch:latest`;
  await page.goto(`${proxy.url}/?ref=${encodeURIComponent(ref)}`);
  await page.getByTestId('summary').waitFor();
  const expected = (await registryManifest('demo/multiarch', 'latest')).body;
  await page.getByTestId('edit-as-new').click();
  await page.getByTestId('create-page').waitFor();
  assert.equal(new URL(page.url()).pathname, '/create');
  assert.equal(await page.getByTestId('target-input').inputValue(), ref);
  assert.equal(await page.getByTestId('type-select').inputValue(), 'docker');
  const images = await page.getByTestId('entry-image').evaluateAll((els) => els.map((e) => e.value));
  assert.deepEqual(
    images,
    expected.manifests.map((m) => `${registry.host}/demo/multiarch@${m.digest}`),
  );
  const osVersions = await page.getByTestId('entry-osversion').evaluateAll((els) => els.map((e) => e.value));
  assert.deepEqual(osVersions, expected.manifests.map((m) => m.platform['os.version'] ?? ''));
  // Rebuilding it unchanged gives the same index (our bytes are compact JSON,
  // the seeded list is indented, so the content is compared).
  await preview(page);
  assert.deepEqual(JSON.parse(await page.getByTestId('preview-index').textContent()), expected);
  await page.close();
});

test('typed-in credentials open a protected registry and are gone after a reload', async () => {
  const page = await browser.newPage();
  const ref = `${privateRegistry.host}/demo/multiarch:latest`;
  await page.goto(`${proxy.url}/?ref=${encodeURIComponent(ref)}`);
  const error = page.getByTestId('error');
  await error.waitFor();
  assert.match(await text(error), /UNAUTHORIZED/);
  assert.match(await text(error), /credential|password|log ?in/i);

  await page.getByTestId('credentials-toggle').click();
  await page.getByTestId('cred-registry').fill(privateRegistry.host);
  await page.getByTestId('cred-username').fill(USER);
  await page.getByTestId('cred-password').fill(PASSWORD);
  await page.getByTestId('cred-save').click();
  await page.getByTestId('cred-saved').waitFor();
  assert.match(await text(page.getByTestId('credentials-toggle')), /\(1\)/);
  await page.getByTestId('inspect-button').click();
  await page.getByTestId('summary').waitFor();
  assert.equal(await text(page.getByTestId('multi-platform')), 'yes');
  // The page says whose credentials opened it.
  assert.equal(await text(page.getByTestId('credentials-used')), `${privateRegistry.host}: typed into the page`);

  // Nothing of it is stored anywhere the page could read it back.
  const stored = await page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookie: document.cookie,
    url: location.href,
  }));
  for (const [where, value] of Object.entries(stored)) {
    assert.ok(!value.includes(PASSWORD), `the password is not in ${where}`);
  }

  // Forget, and the registry refuses again.
  await page.getByTestId('cred-forget').click();
  assert.equal(await page.getByTestId('cred-saved').count(), 0);
  await page.getByTestId('inspect-button').click();
  await error.waitFor();
  assert.match(await text(error), /UNAUTHORIZED/);

  // Saved again, then the page is reloaded: gone.
  await page.getByTestId('cred-registry').fill(privateRegistry.host);
  await page.getByTestId('cred-username').fill(USER);
  await page.getByTestId('cred-password').fill(PASSWORD);
  await page.getByTestId('cred-save').click();
  await page.getByTestId('inspect-button').click();
  await page.getByTestId('summary').waitFor();
  await page.reload();
  await error.waitFor();
  assert.match(await text(error), /UNAUTHORIZED/);
  assert.doesNotMatch(await text(page.getByTestId('credentials-toggle')), /\(\d\)/);
  await page.close();
});
