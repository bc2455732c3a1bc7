// A page on another origin must not be able to push through the proxy with
// the user's browser: neither with fetch (CORS preflight, then 403) nor with a
// plain HTML form (no preflight: refused by Origin and Content-Type). The
// registry is checked directly afterwards: the target tag must not exist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startRegistry, seedDemo, startProxy, launchBrowser, freePort } from './harness.mjs';

let registry, proxy, browser, evil, evilUrl;

before(async () => {
  registry = await startRegistry();
  seedDemo(registry.host);
  proxy = await startProxy([registry.host]);
  browser = await launchBrowser();
  // The foreign page: another loopback port is another origin.
  const port = await freePort();
  evil = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>elsewhere</title><p>another site</p>');
  });
  await new Promise((ok) => evil.listen(port, '127.0.0.1', ok));
  evilUrl = `http://127.0.0.1:${port}`;
});

after(async () => {
  await browser?.close();
  proxy?.stop();
  registry?.stop();
  await new Promise((ok) => (evil ? evil.close(ok) : ok()));
});

function spec(tag) {
  return {
    image: `${registry.host}/csrf/target:${tag}`,
    manifests: [
      { image: `${registry.host}/demo/app:amd64`, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  };
}

async function tagStatus(tag) {
  const r = await fetch(`http://${registry.host}/v2/csrf/target/manifests/${tag}`, {
    method: 'HEAD',
    headers: { Accept: 'application/vnd.docker.distribution.manifest.list.v2+json' },
  });
  return r.status;
}

test('the same push from the real page origin works (so the refusals below mean something)', async () => {
  const page = await browser.newPage();
  await page.goto(proxy.url + '/');
  const status = await page.evaluate(async (body) => {
    const r = await fetch('/api/v1/push', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    await r.text();
    return r.status;
  }, spec('same-origin'));
  assert.equal(status, 200);
  assert.equal(await tagStatus('same-origin'), 200);
  await page.close();
});

test('fetch from a foreign origin cannot push', async () => {
  const page = await browser.newPage();
  await page.goto(evilUrl + '/');
  const outcome = await page.evaluate(
    async ({ url, body }) => {
      try {
        const r = await fetch(url + '/api/v1/push', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
        return `status ${r.status}`;
      } catch (e) {
        return `blocked: ${e.message}`;
      }
    },
    { url: proxy.url, body: spec('via-fetch') },
  );
  assert.match(outcome, /^blocked/, outcome);
  assert.equal(await tagStatus('via-fetch'), 404);
  await page.close();
});

test('a plain HTML form from a foreign origin cannot push', async () => {
  const page = await browser.newPage();
  await page.goto(evilUrl + '/');
  const response = page.waitForResponse((r) => r.url().startsWith(proxy.url + '/api/v1/push'));
  await page.evaluate(
    ({ url, body }) => {
      // text/plain is a "simple" content type: no preflight. The field name
      // and value are arranged so the body is the JSON spec.
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = url + '/api/v1/push';
      form.enctype = 'text/plain';
      const json = JSON.stringify(body);
      const input = document.createElement('input');
      input.name = json.slice(0, -1) + ',"x":"';
      input.value = '"}';
      form.appendChild(input);
      document.body.appendChild(form);
      form.submit();
    },
    { url: proxy.url, body: spec('via-form') },
  );
  const r = await response;
  assert.equal(r.status(), 403, `the form post was answered ${r.status()}`);
  assert.equal(await tagStatus('via-form'), 404);
  await page.close();
});
