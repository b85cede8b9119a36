// A fresh install as a call centre starts it: no knowledge yet, the bot collecting its first
// questions. scripts/smoke.sh fresh migrates, adds one user per role (SMOKE_PASSWORD) and a bot
// token (BOT_TOKEN), and serves the release build.
import { test, expect } from '@playwright/test';
import { openHydrated, signIn } from '../tests/helpers.mjs';

const QUESTIONS = [
  ['How do I activate my new card?', 'bot'],
  ['Why was I charged twice for one purchase?', 'online'],
  ['宽带断网了怎么办？', 'hotline'],
  ['家里的网一直连不上', 'bot'],
  ['怎么办理5G套餐', 'online'],
  ['Can I change my PIN in the app?', 'bot'],
];

// The pages each role opens, and a test id each shows once it has loaded its data.
const PAGES = {
  trainer: [['/', 'home-drafts'], ['/inbox', 'group'], ['/decisions', 'decisions-empty'], ['/knowledge', 'knowledge-search'], ['/health', 'health-counts'], ['/search', 'ask-input']],
  reviewer: [['/', 'home-review'], ['/review', 'review-empty']],
  supervisor: [['/', 'home-coverage'], ['/dashboard', 'kpi-coverage'], ['/dashboard/asks', 'asks'], ['/dashboard/model', 'model-versions']],
  admin: [['/admin', 'status-database']],
};

test('the bot\'s first questions are misses, and they reach the inbox', async ({ request }) => {
  for (const [question, channel] of QUESTIONS) {
    const r = await request.post('/api/v1/ask', {
      headers: { Authorization: `Bearer ${process.env.BOT_TOKEN}` },
      data: { question, channel },
    });
    expect(r.status(), await r.text()).toBe(200);
    const body = await r.json();
    expect(body.outcome).toBe('miss');
    expect(body.candidates).toEqual([]);
  }
});

for (const lang of ['en', 'zh']) {
  for (const [role, pages] of Object.entries(PAGES)) {
    test(`every page of a ${role} on an empty knowledge base (${lang})`, async ({ page }) => {
      const problems = [];
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
      page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
      await signIn(page, role, '/', process.env.SMOKE_PASSWORD);
      await page.context().addCookies([{ name: 'lang', value: lang, url: page.url() }]);
      for (const [path, ready] of pages) {
        const response = await openHydrated(page, path);
        expect(response.status(), path).toBe(200);
        await expect(page.locator('html')).toHaveAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');
        if (path === '/inbox') {
          // New misses are placed in the inbox every second.
          await expect(async () => {
            await openHydrated(page, path);
            await expect(page.getByTestId('group').first()).toBeVisible({ timeout: 1_000 });
          }).toPass({ timeout: 20_000 });
          await expect(page.locator('body')).toContainText('宽带断网了怎么办？');
        } else {
          await expect(page.getByTestId(ready).first()).toBeVisible();
        }
        await expect(page.locator('.error'), `${path}: ${await page.locator('.error').allInnerTexts()}`).toHaveCount(0);
      }
      expect(problems).toEqual([]);
    });
  }
}
