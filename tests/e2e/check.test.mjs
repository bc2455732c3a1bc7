// The registry check page (/check) in the real page: nothing is pushed until
// a person confirms the repository by name, then each step's result streams
// into the table, and the registry is left as it was (checked with the
// registry itself). Credentials typed into the panel reach a protected one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startRegistry, startProxy, launchBrowser, artifacts } from './harness.mjs';

const USER = 'e2e-check';
const PASSWORD = 'e2e-check-pw';

let registry, privateRegistry, proxy, browser;

before(async () => {
  registry = await startRegistry();
  privateRegistry = await startRegistry({ htpasswd: { user: USER, password: PASSWORD } });
  proxy = await startProxy([registry.host, privateRegistry.host]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  proxy?.stop();
  registry?.stop();
  privateRegistry?.stop();
});

async function text(locator) {
  return (await locator.textContent()).trim();
}

/** Tags of `repo` as the registry itself lists them (none: []). */
async function registryTags(host, repo, auth) {
  const headers = auth ? { Authorization: 'Basic ' + Buffer.from(`${auth.user}:${auth.password}`).toString('base64') } : {};
  const r = await fetch(`http://${host}/v2/${repo}/tags/list`, { headers });
  if (r.status === 404) return [];
  assert.equal(r.status, 200, `tags/list answered ${r.status}`);
  return (await r.json()).tags ?? [];
}

async function openCheckPage() {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(proxy.url + '/');
  await page.getByTestId('nav-check').click();
  await page.getByTestId('check-page').waitFor();
  assert.equal(new URL(page.url()).pathname, '/check');
  return page;
}

/** Wait until the check finished (or stopped) and return every row. */
async function finishedRows(page) {
  await page.waitForFunction(() => {
    const h = document.querySelector('[data-testid="check-heading"]');
    return h && !h.textContent.startsWith('Checking');
  }, null, { timeout: 120000 });
  return page.getByTestId('check-row').evaluateAll((rows) =>
    rows.map((r) => ({ step: r.dataset.step, result: r.dataset.result, detail: r.querySelector('.check-detail').textContent })),
  );
}

test('the check asks before pushing, then streams every result and leaves the registry clean', async () => {
  const page = await openCheckPage();
  const repository = `${registry.host}/e2e/check`;
  await page.getByTestId('check-repository').fill(repository);
  await page.getByTestId('check-start').click();

  // The confirmation names the repository; cancelling pushes nothing.
  const confirm = page.getByTestId('check-confirm');
  await confirm.waitFor();
  assert.equal(await text(page.getByTestId('check-confirm-repository')), repository);
  assert.match(await text(page.getByTestId('check-confirm-push')), new RegExp(`Push test content to ${repository}`));
  await page.getByTestId('check-cancel').click();
  assert.equal(await confirm.count(), 0);
  assert.equal(await page.getByTestId('check-results').count(), 0, 'nothing ran');
  assert.deepEqual(await registryTags(registry.host, 'e2e/check'), []);

  await page.getByTestId('check-start').click();
  await page.getByTestId('check-confirm-push').click();
  await page.getByTestId('check-results').waitFor();
  const rows = await finishedRows(page);
  await page.screenshot({ path: join(artifacts, 'check.png'), fullPage: true });

  assert.equal(await text(page.getByTestId('check-heading')), `Checked ${repository}`);
  assert.equal(rows.length, 24, JSON.stringify(rows));
  assert.deepEqual(rows.filter((r) => r.result === 'fail'), []);
  assert.deepEqual(rows.filter((r) => r.result === 'pending'), []);
  const byStep = Object.fromEntries(rows.map((r) => [r.step, r]));
  assert.equal(byStep['blob-mount'].result, 'pass');
  assert.match(byStep['blob-mount'].detail, /-> 201/);
  assert.equal(byStep['referrers'].result, 'unsupported');
  assert.match(byStep['referrers'].detail, /referrers\/sha256:[0-9a-f]{64} -> 404/);
  assert.equal(byStep['cleanup'].result, 'pass');
  assert.match(await text(page.getByTestId('check-summary')), /^\d+ passed, 0 failed, 5 unsupported$/);
  assert.deepEqual(await registryTags(registry.host, 'e2e/check'), [], 'the check removed what it wrote');
  await page.close();
});

test('credentials typed into the panel are used; without them the writes fail', async () => {
  const page = await openCheckPage();
  const repository = `${privateRegistry.host}/e2e/private-check`;
  await page.getByTestId('check-repository').fill(repository);
  await page.getByTestId('check-start').click();
  await page.getByTestId('check-confirm-push').click();
  let rows = await finishedRows(page);
  const failed = rows.filter((r) => r.result === 'fail').map((r) => r.step);
  assert.ok(failed.includes('blob-upload-monolithic'), JSON.stringify(rows));
  assert.match(await text(page.getByTestId('check-summary')), /[1-9]\d* failed/);

  await page.getByTestId('credentials-toggle').click();
  await page.getByTestId('cred-registry').fill(privateRegistry.host);
  await page.getByTestId('cred-username').fill(USER);
  await page.getByTestId('cred-password').fill(PASSWORD);
  await page.getByTestId('cred-save').click();
  await page.getByTestId('cred-saved').waitFor();

  await page.getByTestId('check-start').click();
  await page.getByTestId('check-confirm-push').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="check-heading"]')?.textContent.startsWith('Checking'));
  rows = await finishedRows(page);
  assert.deepEqual(rows.filter((r) => r.result === 'fail'), []);
  const byStep = Object.fromEntries(rows.map((r) => [r.step, r]));
  assert.equal(byStep['credentialed-access'].result, 'pass');
  assert.match(byStep['auth-scheme'].detail, /^Basic/);
  assert.deepEqual(await registryTags(privateRegistry.host, 'e2e/private-check', { user: USER, password: PASSWORD }), []);
  await page.close();
});
