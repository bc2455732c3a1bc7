// One wasm module per page: the inspect page never downloads the create
// page's code, the create page works opened directly and through the
// header's link, and back/forward walk across the two.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoWorld } from './harness.mjs';

const world = demoWorld();

/** The page's own files (not the API) the browser asked for, by path. */
function pageFiles(page) {
  const paths = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin === world.proxy.url && !url.pathname.startsWith('/api/')) paths.push(url.pathname);
  });
  return paths;
}

test("the inspect page fetches its own module and never the create page's", async () => {
  const page = await world.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  const fetched = pageFiles(page);
  await world.open(page, `${world.registry.host}/demo/multiarch:latest`);
  // Expanding a row and the raw view: still nothing of the create page.
  await page.getByTestId('entry-row').first().locator('button.expander').click();
  await page.getByTestId('entry-config').waitFor();
  assert.ok(fetched.includes('/inspect_bg.wasm') && fetched.includes('/inspect.js'), `${fetched}`);
  assert.deepEqual(fetched.filter((p) => p.startsWith('/create')), [], `${fetched}`);
  // Nor the other pages' styles (its first load has a size budget).
  assert.ok(!fetched.includes('/pages.css'), `${fetched}`);
  // A path no page claims: the inspect module says so.
  await page.goto(`${world.proxy.url}/no-such-page`);
  await page.getByTestId('not-found').waitFor();
  assert.deepEqual(fetched.filter((p) => p.startsWith('/create')), [], `${fetched}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the create page works opened directly, with only its own module', async () => {
  const page = await world.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  const fetched = pageFiles(page);
  await page.goto(`${world.proxy.url}/create`);
  await page.getByTestId('create-page').waitFor();
  assert.ok(fetched.includes('/create_bg.wasm') && fetched.includes('/create.js'), `${fetched}`);
  assert.deepEqual(fetched.filter((p) => p.startsWith('/inspect')), [], `${fetched}`);
  assert.equal(await page.getByTestId('nav-create').getAttribute('aria-current'), 'page');
  // Its own styles are linked for it (pages.css): its two columns are a grid.
  assert.ok(fetched.includes('/pages.css'), `${fetched}`);
  assert.equal(await page.locator('.two-columns').first().evaluate((e) => getComputedStyle(e).display), 'grid');
  // It works: the template expands into rows.
  await page.getByTestId('target-input').fill(`${world.registry.host}/e2e/pages:1`);
  await page.getByTestId('tpl-platforms').fill('linux/amd64,linux/arm64');
  await page.getByTestId('tpl-template').fill(`${world.registry.host}/demo/app:ARCH`);
  await page.getByTestId('tpl-expand').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="entry-form-row"]').length === 2);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the header links cross between the pages; back and forward walk back', async () => {
  const page = await world.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  const ref = `${world.registry.host}/demo/multiarch:latest`;
  await world.open(page, ref);
  await page.getByTestId('nav-create').click();
  await page.getByTestId('create-page').waitFor();
  assert.equal(new URL(page.url()).pathname, '/create');
  await page.goBack();
  await page.getByTestId('summary').waitFor();
  assert.equal(new URL(page.url()).searchParams.get('ref'), ref);
  assert.equal(await page.getByTestId('nav-inspect').getAttribute('aria-current'), 'page');
  await page.goForward();
  await page.getByTestId('create-page').waitFor();
  await page.getByTestId('nav-inspect').click();
  await page.getByTestId('ref-input').waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal(await page.getByTestId('create-page').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an index handed over in the link that is not one is an error in place', async () => {
  const page = await world.browser.newPage();
  await page.goto(`${world.proxy.url}/create#repository=x/y&index=${encodeURIComponent('{"manifests": 3}')}`);
  await page.getByTestId('create-page').waitFor();
  const error = page.getByTestId('yaml-error');
  await error.waitFor();
  assert.match(await error.textContent(), /could not be read/);
  await page.close();
});
