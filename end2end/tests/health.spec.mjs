import { test, expect } from '@playwright/test';
import { openHydrated, signIn, unique } from './helpers.mjs';

const bot = { authorization: `Bearer ${process.env.BOT_TOKEN}` };
const lead = { authorization: `Bearer ${process.env.REVIEWER_TOKEN}` };

// Publishes `rows` through the API and returns each question's point id.
async function publish(request, rows) {
  expect((await request.post('/api/v1/knowledge/import?publish=true', { headers: lead, data: rows })).status()).toBe(200);
  const feed = await (await request.get('/api/v1/knowledge?since=0', { headers: bot })).json();
  return rows.map((r) => feed.items.filter((i) => i.question === r.question && !i.deleted).map((i) => i.id).pop());
}

for (const lang of ['en', 'zh']) {
  test(`the health list, a conflict merged, and the duplicate warning (${lang})`, async ({ browser, request }) => {
    const tag = unique('health').replace(/\s+/g, '');
    const rows = lang === 'en'
      ? [
        { category: `Security ${tag}`, question: 'How do I reset my online banking password?', answer: 'Use the reset link.', phrasings: ['I forgot my online banking password', 'cannot remember my banking password'] },
        { category: `Security ${tag}`, question: 'How can I change my online banking password?', answer: 'Open the settings.', phrasings: ['online banking password reset please', 'I need a new online banking password'] },
      ]
      : [
        { category: `安全 ${tag}`, question: '网上银行登录密码忘了怎么办？', answer: '点击“忘记密码”重置。', phrasings: ['网银密码忘记了', '想不起网银登录密码'] },
        { category: `安全 ${tag}`, question: '怎么重置网上银行的登录密码？', answer: '在设置里修改。', phrasings: ['网银登录密码怎么重置', '我需要一个新的网银密码'] },
      ];
    const [keep, absorb] = await publish(request, rows);
    // Five customers ask the first point's phrasing and rate its answer down.
    const answers = [];
    for (let i = 0; i < 5; i++) {
      const asked = await (await request.post('/api/v1/ask', { headers: bot, data: { question: rows[0].phrasings[0] } })).json();
      expect(asked.outcome).toBe('answered');
      answers.push(asked);
      const rated = await request.post('/api/v1/feedback', { headers: bot, data: { ask_id: asked.ask_id, helpful: false } });
      expect(rated.status()).toBe(204);
    }
    const weak = answers[0].answer.knowledge_id;

    const page = await (await browser.newContext()).newPage();
    await signIn(page, 'reviewer', '/knowledge');
    await page.context().addCookies([{ name: 'lang', value: lang, url: page.url() }]);
    await openHydrated(page, '/knowledge');

    // The health list: every published point with a verdict, sortable, each figure opening its asks.
    await page.getByTestId('health-link').click();
    await expect(page).toHaveURL(/\/health$/);
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(lang === 'en' ? 'Knowledge health' : '知识健康');
    await expect(page.getByTestId('health-row').first()).toBeVisible();
    expect(Number(await page.getByTestId('health-published').textContent())).toBeGreaterThanOrEqual(2);
    // The point rated down needs work, with the reason; its asks are one click away.
    await page.getByTestId('health-filter').selectOption('needs_work');
    const row = page.locator(`[data-testid=health-row][data-id="${weak}"]`);
    await expect(row).toHaveAttribute('data-verdict', 'needs_work');
    await expect(page.locator('[data-testid=health-row]:not([data-verdict=needs_work])')).toHaveCount(0);
    await expect(row.getByTestId('verdict')).toHaveText(lang === 'en'
      ? 'Needs work: only 0% of 5 ratings helpful'
      : '需改进：5 次评价中仅 0% 有帮助');
    await row.getByTestId('drill-unhelpful').click();
    await expect(page.getByTestId('drill-down').getByTestId('drill-ask').filter({ hasText: rows[0].phrasings[0] })).toHaveCount(5);
    await page.getByTestId('health-filter').selectOption('all');
    await page.getByTestId('sort-question').click();
    await expect(page.getByTestId('sort-question')).toContainText('↑');

    // The conflict between the two, from the point's page, with its evidence; merged in the browser.
    await openHydrated(page, `/knowledge/${keep}`);
    await page.getByTestId('point-health').click();
    await expect(page).toHaveURL(new RegExp(`/health\\?point=${keep}$`));
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    const pair = page.locator(`[data-testid=conflict][data-first="${Math.min(keep, absorb)}"][data-second="${Math.max(keep, absorb)}"]`);
    await expect(pair).toBeVisible();
    await expect(pair.getByTestId('crossing').first()).toBeVisible();
    await pair.getByTestId(Number(keep) < Number(absorb) ? 'merge-into-first' : 'merge-into-second').click();
    await expect(page.getByTestId('conflict-done')).toHaveText(lang === 'en' ? 'Done: the bot serves the change now.' : '已完成：机器人已使用新的知识。');
    await expect(pair).toHaveCount(0);
    // Every phrasing stays: the absorbed point's question now reaches the point kept.
    const after = await (await request.post('/api/v1/ask', { headers: bot, data: { question: rows[1].question } })).json();
    expect(after.answer?.knowledge_id ?? after.candidates?.[0]?.knowledge_id).toBe(String(keep));
    const feed = await (await request.get('/api/v1/knowledge?since=0', { headers: bot })).json();
    expect(feed.items.find((i) => i.id === String(absorb))?.deleted).toBe(true);

    // The editor names the existing point before saving a new one that means the same.
    await openHydrated(page, '/knowledge/new');
    await page.getByTestId('editor-question').fill(rows[1].phrasings[1]);
    await page.getByTestId('editor-answer').fill(lang === 'en' ? 'A duplicate.' : '重复的答案。');
    await page.getByTestId('save-draft').click();
    const warning = page.getByTestId('duplicate-warning');
    await expect(warning).toContainText(lang === 'en' ? 'This question means the same as an existing point:' : '这个问题与已有知识点意思相同：');
    await expect(warning.getByTestId('duplicate').first()).toContainText(`#${keep}`);
    await expect(page).toHaveURL(/\/knowledge\/new$/);

    // So does an import, row by row, before anything is written.
    await openHydrated(page, '/knowledge');
    await page.getByTestId('import-panel').evaluate((panel) => { panel.open = true; });
    await page.getByTestId('import-text').fill(['category,question,answer,phrasings', `${rows[0].category} new,${rows[1].phrasings[0]},x,`].join('\n'));
    await page.getByTestId('import-run').click();
    await expect(page.getByTestId('import-duplicates')).toContainText(lang === 'en' ? 'These rows mean the same as published points:' : '以下行与已发布的知识点意思相同：');
    await expect(page.getByTestId('import-duplicate')).toContainText(`#${keep}`);
    await expect(page.getByTestId('import-report')).toHaveCount(0);
  });
}
