import { test, expect } from '@playwright/test';
import { openHydrated, signIn } from './helpers.mjs';

test('server renders the shell with navigation, and the live status on the System page', async ({ page }) => {
  await signIn(page, 'admin');
  const response = await openHydrated(page, '/admin');
  expect(response.status()).toBe(200);
  const nav = page.getByTestId('nav');
  for (const label of ['Overview', 'Inbox', 'My decisions', 'Knowledge', 'Review', 'Dashboard', 'Search', 'System']) {
    await expect(nav.getByRole('link', { name: label })).toBeVisible();
  }
  await expect(page.getByTestId('status-database')).toContainText('SQLite');
  await expect(page.getByTestId('status-database')).toContainText('ready');
  // Named for people, not by the recipe the embedder reports (that is in /readyz and the log).
  await expect(page.getByTestId('status-model')).toContainText('Multilingual model (e5-small with MiniLM)');
  await expect(page.getByTestId('status-model')).not.toContainText('centred');
  await expect(page.getByTestId('status-dimension')).toHaveText('768');
  await expect(page.getByTestId('status-load-time')).toHaveText(/^\d+ ms$/);
  // Personal data: what is masked, and the retention run the server did at start.
  await expect(page.getByTestId('status-masking')).toContainText('mobile numbers, landline numbers, ID card numbers');
  await expect(page.getByTestId('status-retention')).toContainText('180 days kept');
  await expect(page.getByTestId('status-retention')).toContainText(/last run \S+/);
  await expect(page.getByTestId('status-retention-removed')).toHaveText(/^removed \d+ asks?, \d+ miss(es)?, \d+ reports?$/);
  await page.context().addCookies([{ name: 'lang', value: 'zh', url: page.url() }]);
  await openHydrated(page, '/admin');
  await expect(page.getByTestId('status-masking')).toContainText('手机号、固定电话、身份证号、银行卡号、邮箱、IP地址');
  await expect(page.getByTestId('status-retention')).toContainText('180 天');
  await expect(page.getByTestId('status-retention-removed')).toHaveText(/^删除了 \d+ 条提问记录，\d+ 条未答问题，\d+ 条上报$/);
});

test('a click switches the language in place, and the choice follows the user', async ({ browser }) => {
  // Its own user: the language it leaves behind is applied at that user's next sign-in.
  const page = await (await browser.newContext()).newPage();
  await signIn(page, 'polyglot');
  await page.evaluate(() => { window.__sameDocument = true; });
  const remembered = page.waitForResponse((r) => r.url().endsWith('/api/remember_language'));
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('nav')).toContainText('待处理');
  await expect(page.getByTestId('nav')).toContainText('知识库');
  await expect(page.getByTestId('nav')).toContainText('我的处理记录');
  await expect(page.locator('h1')).toHaveText('概览');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  expect(await page.evaluate(() => window.__sameDocument)).toBe(true);
  expect((await remembered).status()).toBe(200);

  // The cookie makes the server render Chinese on the next load.
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('h1')).toHaveText('概览');

  // Another browser, no cookie: signing in brings the user's language back.
  const other = await (await browser.newContext()).newPage();
  await signIn(other, 'polyglot');
  await expect(other.locator('h1')).toHaveText('概览');
  await other.getByTestId('lang-switch').click();
  await expect(other.locator('h1')).toHaveText('Overview');
});

test('navigation happens in the browser, and the status refresh calls the server', async ({ page }) => {
  await signIn(page, 'admin');
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.getByTestId('nav').getByRole('link', { name: 'Knowledge' }).click();
  await expect(page).toHaveURL(/\/knowledge$/);
  await expect(page.locator('h1')).toHaveText('Knowledge');
  expect(await page.evaluate(() => window.__sameDocument)).toBe(true);

  await page.getByTestId('nav').getByRole('link', { name: 'System' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  const call = page.waitForResponse((r) => r.url().includes('/api/') && r.request().method() === 'POST');
  await page.getByTestId('status-refresh').click();
  expect((await call).status()).toBe(200);
  await expect(page.getByTestId('status-dimension')).toHaveText('768');
});

test('unknown pages answer 404; health endpoints answer JSON', async ({ page, request }) => {
  const missing = await page.goto('/no-such-page');
  expect(missing.status()).toBe(404);
  await expect(page.locator('h1')).toHaveText('Page not found');

  const live = await request.get('/healthz');
  expect(live.status()).toBe(200);
  expect(await live.json()).toEqual({ status: 'ok' });
  const ready = await request.get('/readyz');
  expect(ready.status()).toBe(200);
  const body = await ready.json();
  expect(body.database.reachable).toBe(true);
  expect(body.model.dimension).toBe(768);
});
