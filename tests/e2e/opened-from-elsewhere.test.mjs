// A link from another site must not make the proxy use its owner's Docker
// credentials. The proxy runs with `--docker-credentials on` and a config
// holding the login of a private registry; every request that reaches that
// registry goes through a counting forwarder. A page on another origin
// (another port on 127.0.0.1 is the same *site*; 127.0.0.2 is another site)
// navigates to the app with `?ref=` for the private registry: the page must
// only offer to inspect, and the registry must see nothing until a person
// presses Inspect. A typed URL still inspects at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, seedDemo, startProxy, launchBrowser, freePort, MANIFEST_ACCEPT } from './harness.mjs';

const USER = 'owner';
const PASSWORD = 'owner-secret';
let registry, forwarder, proxy, browser, configDir;
const others = [];
const seen = [];

function listen(server, host) {
  return freePort().then(
    (port) => new Promise((ok) => server.listen(port, host, () => ok(`${host}:${port}`))),
  );
}

/** Another site: one page, nothing else. */
async function otherSite(host) {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>elsewhere</title><p>another site</p>');
  });
  others.push(server);
  return 'http://' + (await listen(server, host));
}

before(async () => {
  registry = await startRegistry({ htpasswd: { user: USER, password: PASSWORD } });
  seedDemo(registry.host, ['--username', USER, '--password', PASSWORD]);
  const [upHost, upPort] = registry.host.split(':');
  forwarder = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, auth: Boolean(req.headers.authorization) });
    const up = request(
      { host: upHost, port: upPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(up);
  });
  const forwarderHost = await listen(forwarder, '127.0.0.1');
  configDir = mkdtempSync(join(tmpdir(), 'mw-e2e-docker-'));
  const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  writeFileSync(join(configDir, 'config.json'), JSON.stringify({ auths: { [forwarderHost]: { auth } } }));
  forwarder.hostName = forwarderHost;
  proxy = await startProxy([forwarderHost], ['--docker-credentials', 'on', '--docker-config', configDir]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  proxy?.stop();
  registry?.stop();
  for (const s of [forwarder, ...others]) await new Promise((ok) => (s ? s.close(ok) : ok()));
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

async function expectedDigest() {
  const r = await fetch(`http://${registry.host}/v2/demo/multiarch/manifests/latest`, {
    headers: {
      Accept: MANIFEST_ACCEPT,
      Authorization: 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64'),
    },
  });
  assert.equal(r.status, 200);
  const body = Buffer.from(await r.arrayBuffer());
  return 'sha256:' + createHash('sha256').update(body).digest('hex');
}

/** Open `/?ref=` from a page on `otherOrigin`, as a link or script there would. */
async function openFrom(otherOrigin, ref) {
  const page = await browser.newPage();
  await page.goto(otherOrigin + '/');
  const target = `${proxy.url}/?ref=${encodeURIComponent(ref)}`;
  await page.evaluate((url) => {
    location.href = url;
  }, target);
  await page.waitForURL(target);
  // Whatever the page does first: hold, or (the attack) inspect.
  await page.locator('[data-testid="held-notice"], [data-testid="summary"], [data-testid="error"]').first().waitFor();
  // Give a request that should not happen the time to happen.
  await page.waitForTimeout(500);
  return page;
}

for (const [name, host] of [
  ['another site (127.0.0.2)', '127.0.0.2'],
  ['another port on the same site', '127.0.0.1'],
]) {
  test(`a navigation from ${name} looks nothing up until Inspect is pressed`, async () => {
    const origin = await otherSite(host);
    const ref = `${forwarder.hostName}/demo/multiarch:latest`;
    seen.length = 0;
    const page = await openFrom(origin, ref);
    assert.deepEqual(seen, [], 'the private registry was asked before anyone pressed Inspect');
    const notice = page.getByTestId('held-notice');
    assert.ok(await notice.isVisible(), 'the page says why nothing was looked up');
    assert.match(await notice.textContent(), /another site/);
    assert.match(await notice.textContent(), new RegExp(forwarder.hostName.replace(/\./g, '\\.')));
    assert.equal(await page.getByTestId('ref-input').inputValue(), ref);
    assert.equal(await page.getByTestId('summary').count(), 0);

    // Chromium reloads it as a navigation from that site: still held.
    await page.reload();
    await page.getByTestId('held-notice').waitFor();
    await page.waitForTimeout(300);
    assert.deepEqual(seen, [], 'a reload before Inspect asked the private registry');

    await page.getByTestId('held-inspect').click();
    await page.getByTestId('summary').waitFor();
    assert.equal((await page.getByTestId('digest').textContent()).trim(), await expectedDigest());
    assert.ok(
      seen.some((r) => r.auth),
      'after Inspect the proxy used its Docker credentials as before',
    );
    assert.equal(await page.getByTestId('held-notice').count(), 0);
    assert.equal(new URL(page.url()).searchParams.get('ref'), ref);

    // Once a person asked, the page is theirs: a reload inspects at once.
    await page.reload();
    await page.getByTestId('summary').waitFor();
    assert.equal(await page.getByTestId('held-notice').count(), 0);
    // The inspection's follow-up requests (configs, referrers) go out once
    // the page is idle: let them finish, or they land in the next test's
    // "nothing asked".
    await page.waitForLoadState('networkidle');
    await page.close();
  });
}

test('a typed URL (or bookmark) still inspects at once', async () => {
  seen.length = 0;
  const page = await browser.newPage();
  const ref = `${forwarder.hostName}/demo/multiarch:latest`;
  await page.goto(`${proxy.url}/?ref=${encodeURIComponent(ref)}`);
  await page.getByTestId('summary').waitFor();
  assert.equal((await page.getByTestId('digest').textContent()).trim(), await expectedDigest());
  assert.equal(await page.getByTestId('held-notice').count(), 0);
  assert.ok(seen.some((r) => r.auth));
  await page.waitForLoadState('networkidle');
  await page.close();
});

/** Open `path` from a page on `otherOrigin`, and wait for what the page does first. */
async function openPathFrom(otherOrigin, path) {
  const page = await browser.newPage();
  await page.goto(otherOrigin + '/');
  const target = `${proxy.url}${path}`;
  await page.evaluate((url) => {
    location.href = url;
  }, target);
  await page.waitForURL(target);
  await page.locator('[data-testid="held-notice"], [data-testid="tag-list"], [data-testid="compare-both"], [data-testid="error"]').first().waitFor();
  await page.waitForTimeout(500);
  return page;
}

test('the tags and compare pages opened from another site look nothing up until asked', async () => {
  const origin = await otherSite('127.0.0.2');
  const repository = `${forwarder.hostName}/demo/multiarch`;
  seen.length = 0;
  const tags = await openPathFrom(origin, `/tags?repository=${encodeURIComponent(repository)}`);
  // A referrers lookup of an inspection above may still land here; the
  // tags page never asks for referrers, so only its own requests count.
  const asked = () => seen.filter((r) => !r.url.includes('/referrers/'));
  assert.deepEqual(asked(), [], 'the private registry was asked before anyone pressed List tags');
  assert.match(await tags.getByTestId('held-notice').textContent(), /another site/);
  await tags.getByTestId('tags-button').click();
  await tags.getByTestId('tag-list').waitFor();
  assert.ok((await tags.getByTestId('tag-link').allTextContents()).map((s) => s.trim()).includes('latest'));
  assert.ok(seen.some((r) => r.auth), 'after List tags the proxy used its Docker credentials');
  await tags.close();

  seen.length = 0;
  const ref = `${repository}:latest`;
  const compare = await openPathFrom(
    origin,
    `/compare?a=${encodeURIComponent(ref)}&b=${encodeURIComponent(ref)}`,
  );
  assert.deepEqual(asked(), [], 'the private registry was asked before anyone pressed Compare');
  assert.match(await compare.getByTestId('held-notice').textContent(), /another site/);
  await compare.getByTestId('compare-button').click();
  await compare.getByTestId('compare-both').waitFor();
  assert.ok(seen.some((r) => r.auth));
  await compare.close();
});
