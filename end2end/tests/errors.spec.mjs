import { test, expect } from '@playwright/test';
import { openHydrated, runImport, signIn, unique } from './helpers.mjs';

// The Chinese UI, without remembering the language for the user (other tests sign in as them).
async function chinese(page) {
  await page.context().addCookies([{ name: 'lang', value: 'zh', url: page.url() }]);
}

test('errors a user causes read in Chinese in the Chinese UI', async ({ browser, request }) => {
  // A trainer opening the supervisors' dashboard: refused inside the layout, in Chinese.
  const trainer = await (await browser.newContext()).newPage();
  await signIn(trainer, 'trainer', '/knowledge');
  await chinese(trainer);
  const refused = await openHydrated(trainer, '/dashboard');
  expect(refused.status()).toBe(403);
  await expect(trainer.getByTestId('nav')).toContainText('待处理');
  await expect(trainer.getByTestId('forbidden')).toHaveText('此页面需要“主管”角色；trainer 的角色是“训练师”。');

  // A category that already exists: the server function's refusal, worded in Chinese.
  await openHydrated(trainer, '/knowledge');
  const category = unique('E2E 重复');
  for (let i = 0; i < 2; i++) {
    await trainer.getByTestId('category-name').fill(category);
    await trainer.getByTestId('category-save').click();
    if (i === 0) await expect(trainer.getByTestId('category-tree').locator(`a[data-path="${category}"]`)).toBeVisible();
  }
  await expect(trainer.getByTestId('category-error')).toHaveText(`这里已经有名为“${category}”的分类（${category}）。`);

  // A bad line of an import, in Chinese.
  await trainer.getByTestId('import-panel').evaluate((panel) => { panel.open = true; });
  await trainer.getByTestId('import-text').fill(['category,question,answer,phrasings', `${category},,没有问题的答案,`].join('\n'));
  await runImport(trainer);
  await expect(trainer.getByTestId('import-line-error')).toHaveText('第 2: 问题不能为空。');

  // A group another trainer holds: the claim is refused with who holds it, in Chinese.
  const tag = unique('zh').replace(/\s+/g, '');
  const bot = { authorization: `Bearer ${process.env.BOT_TOKEN}` };
  const lead = { authorization: `Bearer ${process.env.REVIEWER_TOKEN}` };
  await request.post('/api/v1/misses', { headers: bot, data: { misses: [{ question: `信用卡 ${tag} 年费怎么免` }] } });
  await expect.poll(async () => (await (await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead })).json()).total, { timeout: 15000 }).toBe(1);
  await openHydrated(trainer, '/inbox');
  await trainer.getByTestId('inbox-search').fill(tag);
  await trainer.getByTestId('group').filter({ hasText: tag }).click();
  await expect(trainer.getByTestId('group-detail').getByTestId('claim')).toBeVisible();

  const second = await (await browser.newContext()).newPage();
  await signIn(second, 'trainer2', '/inbox');
  await chinese(second);
  await openHydrated(second, '/inbox');
  await second.getByTestId('inbox-search').fill(tag);
  await second.getByTestId('group').filter({ hasText: tag }).click();
  await expect(second.getByTestId('claim-refused')).toContainText('trainer 正在处理这个分组');
  await expect(second.getByTestId('claim-refused')).toContainText('未做任何更改，请选择其他分组。');
});
