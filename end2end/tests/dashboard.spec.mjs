import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import { openHydrated, signIn, unique } from './helpers.mjs';

test('the dashboard shows its figures and charts, a category opens the asks behind it, and the report downloads', async ({ page, request }) => {
  const tag = unique('dash').replace(/\s+/g, '');
  const bot = { authorization: `Bearer ${process.env.BOT_TOKEN}` };
  const lead = { authorization: `Bearer ${process.env.REVIEWER_TOKEN}` };
  const category = `Bullion ${tag}`;
  const kb = [{ category: `${category}/Storage`, question: `Can I store gold bars with you ${tag}?`, answer: 'Yes, in our vaults.', phrasings: [`store gold bars ${tag}`] }];
  expect((await request.post('/api/v1/knowledge/import?publish=true', { headers: lead, data: kb })).status()).toBe(200);
  const answered = await request.post('/api/v1/ask', { headers: bot, data: { question: `store gold bars ${tag}`, channel: 'online' } });
  expect((await answered.json()).outcome).toBe('answered');
  await request.post('/api/v1/ask', { headers: bot, data: { question: `what is the airspeed of a swallow ${tag}` } });

  await signIn(page, 'admin', '/dashboard');
  for (const chart of ['chart-coverage', 'chart-outcomes', 'chart-backlog', 'chart-yield']) {
    await expect(page.getByTestId(chart)).toBeVisible();
  }
  await expect(page.getByTestId('kpi-coverage')).toContainText('%');
  await expect(page.getByTestId('chart-outcomes').locator('rect').first()).toBeAttached();
  await expect(page.getByTestId('per-day').locator('tbody tr')).toHaveCount(7);

  // The period changes the figures in place: 30 days, 30 rows.
  await page.getByTestId('dashboard-days').selectOption('30');
  await expect(page.getByTestId('per-day').locator('tbody tr')).toHaveCount(30);

  // Drill down: the business category opens the asks about it.
  await page.getByTestId('category-link').filter({ hasText: category }).click();
  await expect(page).toHaveURL(/\/dashboard\/asks\?/);
  await expect(page.getByTestId('ask-row').filter({ hasText: `store gold bars ${tag}` })).toHaveCount(1);
  await expect(page.getByTestId('ask-row').filter({ hasText: 'swallow' })).toHaveCount(0);

  // The voice-of-customer report downloads with the session, by a click on the hydrated page
  // (the router must leave the link to the server), in the dashboard's language.
  for (const [lang, header] of [['en', 'Rank,Topic'], ['zh', '排名,话题']]) {
    await page.context().addCookies([{ name: 'lang', value: lang, url: page.url() }]);
    await openHydrated(page, '/dashboard');
    for (const [id, start] of [['voc-csv', `\uFEFF${header}`], ['voc-md', '# ']]) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
      expect(download.suggestedFilename()).toMatch(/^botcoach-report-7d\.(csv|md)$/);
      const text = fs.readFileSync(await download.path(), 'utf8');
      expect(text.startsWith(start), `${lang} ${id}: ${text.slice(0, 40)}`).toBe(true);
    }
    await expect(page.locator('h1')).toHaveText(lang === 'en' ? 'Dashboard' : '看板');
  }
});
