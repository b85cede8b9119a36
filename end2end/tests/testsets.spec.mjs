import { test, expect } from '@playwright/test';
import { openHydrated, signIn } from './helpers.mjs';

// A trainer imports a test set from a file, runs it, sees the case that fails; a draft that
// would break a passing case is shown to the reviewer in review. In Chinese, then English.
for (const lang of ['zh', 'en']) {
  test(`a test set is imported, run, fails where it should, and guards review (${lang})`, async ({ page, request }) => {
    const zh = lang === 'zh';
    const n = `${Date.now() % 1000000}${Math.floor(Math.random() * 100)}`;
    const lead = { authorization: `Bearer ${process.env.REVIEWER_TOKEN}` };
    const stolen = zh
      ? { category: `卡片${n}`, question: `我的畅游卡${n}被偷了怎么办？`, answer: '请在 App 里冻结卡片。', phrasings: [`畅游卡${n}被人偷走了`, `畅游卡${n}丢失被盗`] }
      : { category: `Cards ${n}`, question: `My zorbcard${n} was stolen, what do I do?`, answer: 'Freeze it in the app.', phrasings: [`someone stole my zorbcard${n}`, `report a stolen zorbcard${n}`] };
    const order = zh
      ? { category: `卡片${n}`, question: `怎么补办一张新的畅游卡${n}？`, answer: '在 App 的卡片页补办。', phrasings: [`畅游卡${n}补办`, `申请新的畅游卡${n}`] }
      : { category: `Cards ${n}`, question: `How do I order a new zorbcard${n}?`, answer: 'In the app, under Cards.', phrasings: [`replacement zorbcard${n}`, `get a new zorbcard${n}`] };
    expect((await request.post('/api/v1/knowledge/import?publish=true', { headers: lead, data: [stolen, order] })).status()).toBe(200);
    const feed = await (await request.get('/api/v1/knowledge?since=0', { headers: lead })).json();
    const id = (q) => feed.items.find((i) => i.question === q).id;
    const [stolenId, orderId] = [id(stolen.question), id(order.question)];
    // Asked by a customer in words of their own: the stolen-card point answers it.
    const asked = zh ? `有人偷走了我的畅游卡${n}` : `somebody stole my zorbcard${n}`;

    await signIn(page, 'trainer', '/testsets');
    await page.context().addCookies([{ name: 'lang', value: lang, url: page.url() }]);
    await openHydrated(page, '/testsets');
    await expect(page.locator('h1')).toHaveText(zh ? '测试集' : 'Test sets');
    // The sets that fill themselves are there from the start.
    await expect(page.locator('[data-testid=testset-row][data-kind=confirmed]')).toContainText(zh ? '客户确认有用的回答' : 'Confirmed by customers');

    // A file with a case that passes and one that cannot (its expectation is the other point).
    const name = zh ? `回归${n}` : `nightly ${n}`;
    const csv = `question,channel,expect\n"${asked}",bot,${stolenId}\n"${order.question}",,${stolenId}\n`;
    await page.getByTestId('testset-import-name').fill(name);
    await page.getByTestId('testset-import-file').setInputFiles({ name: 'cases.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('testset-import-run').click();
    await expect(page.getByTestId('testset-import-done')).toContainText(zh ? '已导入 2 条用例' : 'Imported 2 cases');
    // A bad file is refused in the user's language, naming the line.
    await page.getByTestId('testset-import-name').fill(`${name} bad`);
    await page.getByTestId('testset-import-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('question,channel,expect\nhi,bot,seven\n') });
    await page.getByTestId('testset-import-run').click();
    await expect(page.getByTestId('testset-import-error')).toContainText(zh ? '第 2 行：预期结果必须是知识点编号' : 'line 2: expect must be a knowledge point id');
    await expect(page.locator('[data-testid=testset-row]', { hasText: `${name} bad` })).toHaveCount(0);

    await page.locator('[data-testid=testset-row]', { hasText: name }).getByRole('link').click();
    await expect(page.locator('h1')).toHaveText(name);
    await expect(page.getByTestId('testset-no-run')).toBeVisible();
    await page.getByTestId('testset-run').click();
    await expect(page.getByTestId('testset-report')).toBeVisible({ timeout: 30000 });
    await expect(page.getByTestId('testset-accuracy')).toContainText('50%');
    const rows = page.getByTestId('testset-result-row');
    await expect(rows).toHaveCount(2);
    // Failures first: the order question, answered with its own point, not the expected one.
    await expect(rows.first()).toHaveAttribute('data-passed', 'false');
    await expect(rows.first()).toContainText(order.question);
    await expect(rows.first()).toContainText(zh ? '失败' : 'failed');
    await expect(rows.nth(1)).toHaveAttribute('data-passed', 'true');
    if (process.env.SHOTS_DIR) await page.screenshot({ path: `${process.env.SHOTS_DIR}/testset-trainer-${lang}.png`, fullPage: true });
    // Exports download.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('testset-export-xlsx').click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);

    // A draft that gives the order point the customer's very words: the passing case would fail.
    const draft = { ...order, phrasings: [...order.phrasings, asked] };
    expect((await request.post('/api/v1/knowledge/import', { headers: lead, data: [draft] })).status()).toBe(200);
    await openHydrated(page, `/knowledge/${orderId}`);
    await page.getByTestId('submit-review').click();
    await page.context().clearCookies();
    await signIn(page, 'reviewer', '/review');
    await page.context().addCookies([{ name: 'lang', value: lang, url: page.url() }]);
    await openHydrated(page, '/review');
    const item = page.locator(`[data-testid=review-item][data-id="${orderId}"]`);
    const broken = item.locator('[data-testid=test-regression][data-passed-after=false]');
    await expect(broken).toContainText(asked);
    await expect(broken).toContainText(name);
    await expect(broken).toContainText(zh ? '新失败' : 'newly failing');
    await expect(item.getByTestId('approve')).toHaveText(zh ? '仍然发布' : 'Publish anyway');
    if (process.env.SHOTS_DIR) await item.screenshot({ path: `${process.env.SHOTS_DIR}/testset-review-${lang}.png` });
  });
}
