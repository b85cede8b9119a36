import { test, expect } from '@playwright/test';
import { openHydrated, saveDraft, signIn, unique } from './helpers.mjs';

// A customer rejects an answer: the trainer sees what went wrong (the answer, the session's
// earlier turn, the agent's reply) and works it with "wrong point"; the counter-example shows in
// the editor, removable. In Chinese, then English.
for (const lang of ['zh', 'en']) {
  test(`a rejected answer is worked with "wrong point" and becomes a counter-example (${lang})`, async ({ page, request }) => {
    const zh = lang === 'zh';
    const tag = unique('teach').replace(/\s+/g, '');
    const bot = { authorization: `Bearer ${process.env.BOT_TOKEN}` };
    const lead = { authorization: `Bearer ${process.env.REVIEWER_TOKEN}` };
    const account = zh ? `怎么注销银行账户${tag}` : `How do I close my bank account ${tag}?`;
    const login = zh ? `怎么注销网上银行登录${tag}` : `How do I delete my online banking login ${tag}?`;
    const kb = [
      { category: `Accounts ${tag}`, question: account, answer: zh ? '请携带身份证到网点办理销户。' : 'Visit a branch with your ID.', phrasings: [zh ? `我想销户${tag}` : `close my account ${tag}`] },
      { category: `Online ${tag}`, question: login, answer: zh ? '设置 → 安全 → 删除登录。' : 'Settings, Security, Delete login.' },
    ];
    expect((await request.post('/api/v1/knowledge/import?publish=true', { headers: lead, data: kb })).status()).toBe(200);
    const session = `s-${tag}`;
    const asked = zh ? `我想销户${tag}` : `close my account ${tag}`;
    await request.post('/api/v1/ask', { headers: bot, data: { question: zh ? `你好${tag}` : `hello ${tag}`, session_id: session } });
    await expect.poll(async () => {
      const r = await request.post('/api/v1/ask', { headers: bot, data: { question: asked, session_id: session, dry_run: true } });
      return (await r.json()).outcome;
    }, { timeout: 15000 }).toBe('answered');
    const r = await request.post('/api/v1/ask', { headers: bot, data: { question: asked, session_id: session } });
    const ask = await r.json();
    const reply = zh ? '已帮您在手机银行里删除了登录。' : 'I deleted the online banking login for you.';
    const feedback = { ask_id: ask.ask_id, helpful: false, handoff: true, agent_answer: reply };
    expect((await request.post('/api/v1/feedback', { headers: bot, data: feedback })).status()).toBe(204);
    await expect.poll(async () => {
      const page = await (await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead })).json();
      return page.clusters.length;
    }, { timeout: 15000 }).toBe(1);

    await signIn(page, 'trainer', '/inbox');
    await page.context().addCookies([{ name: 'lang', value: lang, url: page.url() }]);
    await openHydrated(page, '/inbox');
    await page.getByTestId('inbox-search').fill(tag);
    await expect(page.getByTestId('group')).toHaveCount(1);
    const detail = page.getByTestId('group-detail');
    const item = detail.getByTestId('rejected-item');
    await expect(item).toHaveCount(1);
    await expect(detail.getByTestId('rejected')).toContainText(zh ? '出了什么问题' : 'What went wrong');
    await expect(item.getByTestId('rejected-answer')).toContainText(account);
    await expect(item.getByTestId('rejected-turns')).toContainText(zh ? `你好${tag}` : `hello ${tag}`);
    await expect(item.getByTestId('rejected-agent')).toContainText(reply);
    if (process.env.SHOTS_DIR) await page.screenshot({ path: `${process.env.SHOTS_DIR}/inbox-rejected-${lang}.png`, fullPage: true });

    // "New point" starts from the agent's reply.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('n');
    await expect(page.getByTestId('create-answer')).toHaveValue(reply);
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 5, y: 5 } });

    // w: the wrong point is the one the bot answered with; the right one is searched for.
    await page.keyboard.press('w');
    const panel = page.getByTestId('wrong-point-panel');
    await expect(panel.getByTestId('wrong-point-of')).toContainText(account);
    await panel.getByTestId('link-search').fill(login);
    await panel.getByTestId('link-result').filter({ hasText: login }).click();
    await expect(page.getByTestId('inbox-message')).toContainText(zh ? '已记为反例并关联' : 'recorded as a counter-example and linked');
    await expect(page.getByTestId('inbox-empty')).toBeVisible();
    if (process.env.SHOTS_DIR) await page.screenshot({ path: `${process.env.SHOTS_DIR}/inbox-wrong-point-${lang}.png`, fullPage: true });

    // The point answered with now lists the question as a counter-example (and no longer as a
    // phrasing); the trainer can remove it before review.
    const feed = await (await request.get('/api/v1/knowledge?since=0', { headers: lead })).json();
    const id = feed.items.find((i) => i.question === account).id;
    await openHydrated(page, `/knowledge/${id}`);
    const counters = page.getByTestId('counters').getByTestId('counter');
    await expect(counters).toHaveCount(1);
    await expect(counters.first()).toHaveValue(asked);
    await expect(page.getByTestId('phrasings').getByTestId('phrasing')).toHaveCount(0);
    await expect(page.getByTestId('editor-counters')).toContainText(zh ? '反例' : 'Counter-examples');
    if (process.env.SHOTS_DIR) await page.screenshot({ path: `${process.env.SHOTS_DIR}/editor-counters-${lang}.png`, fullPage: true });
    // A counter-example that is also a phrasing is refused in the user's language.
    await page.getByTestId('new-phrasing').fill(asked);
    await page.getByTestId('add-phrasing').click();
    await saveDraft(page);
    await expect(page.getByTestId('editor-error')).toContainText(zh ? '反例' : 'counter-example');
    await page.getByTestId('phrasings').getByTestId('remove-phrasing').click();
    await page.getByTestId('new-counter').fill(zh ? `销户要多少钱${tag}` : `how much does closing cost ${tag}`);
    await page.getByTestId('add-counter').click();
    await expect(counters).toHaveCount(2);
    await saveDraft(page);
    await expect(page.getByTestId('editor-error')).toHaveCount(0);
  });
}

// The right point answered and the customer still rejected it: "poor answer" (a) revises the
// point's answer beside the group, starting from the answer as it is or from the agent's reply;
// an unchanged answer is refused in the user's language; once the revision is published the
// bot says it and the question closes.
for (const lang of ['zh', 'en']) {
  test(`a rejected answer is revised with "poor answer" and its question closes on publish (${lang})`, async ({ page, request }) => {
    const zh = lang === 'zh';
    const tag = unique('poor').replace(/\s+/g, '');
    const bot = { authorization: `Bearer ${process.env.BOT_TOKEN}` };
    const lead = { authorization: `Bearer ${process.env.REVIEWER_TOKEN}` };
    const question = zh ? `信用卡年费怎么收${tag}` : `What is the annual fee of the credit card ${tag}?`;
    const asked = zh ? `信用卡年费是多少${tag}` : `how much is the card's yearly fee ${tag}`;
    const before = zh ? '详见官网。' : 'See our website.';
    const kb = [{ category: `Cards ${tag}`, question, answer: before, phrasings: [asked] }];
    expect((await request.post('/api/v1/knowledge/import?publish=true', { headers: lead, data: kb })).status()).toBe(200);
    await expect.poll(async () => {
      const r = await request.post('/api/v1/ask', { headers: bot, data: { question: asked, dry_run: true } });
      return (await r.json()).outcome;
    }, { timeout: 15000 }).toBe('answered');
    const ask = await (await request.post('/api/v1/ask', { headers: bot, data: { question: asked } })).json();
    const reply = zh ? '首年免年费，刷卡满六次免次年年费。' : 'No fee in the first year; six purchases a year waive the next.';
    const feedback = { ask_id: ask.ask_id, helpful: false, handoff: true, agent_answer: reply };
    expect((await request.post('/api/v1/feedback', { headers: bot, data: feedback })).status()).toBe(204);
    await expect.poll(async () => {
      const page = await (await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead })).json();
      return page.clusters.length;
    }, { timeout: 15000 }).toBe(1);

    await signIn(page, 'trainer', '/inbox');
    await page.context().addCookies([{ name: 'lang', value: lang, url: page.url() }]);
    await openHydrated(page, '/inbox');
    await page.getByTestId('inbox-search').fill(tag);
    await expect(page.getByTestId('group')).toHaveCount(1);
    await expect(page.getByTestId('group-detail').getByTestId('rejected-item')).toHaveCount(1);
    // Ranked by cost, the handoff's group is still listed (and the order's names are translated).
    await expect(page.getByTestId('inbox-rank')).toContainText(zh ? '按成本' : 'By cost');
    await page.getByTestId('inbox-rank').selectOption('cost');
    await expect(page.getByTestId('group')).toHaveCount(1);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('a');
    const panel = page.getByTestId('poor-answer-panel');
    await expect(panel).toContainText(question);
    const text = panel.getByTestId('poor-answer-text');
    await expect(text).toHaveValue(before);
    // The answer as it is: refused, in the user's language, and the group stays.
    await panel.getByTestId('poor-answer-submit').click();
    await expect(page.getByTestId('inbox-error')).toContainText(zh ? '修改后的答案和原答案一样' : 'the revised answer is the point\'s answer as it is');
    await expect(page.getByTestId('group')).toHaveCount(1);
    if (process.env.SHOTS_DIR) await page.screenshot({ path: `${process.env.SHOTS_DIR}/inbox-poor-answer-${lang}.png`, fullPage: true });
    await panel.getByTestId('poor-answer-agent').click();
    await expect(text).toHaveValue(reply);
    await panel.getByTestId('poor-answer-submit').click();
    await expect(page.getByTestId('inbox-message')).toContainText(zh ? '等待修改后的答案' : 'waits for the revised answer');
    await expect(page.getByTestId('inbox-empty')).toBeVisible();

    // The review shows the revised answer; published, the bot says it and the question closes.
    const feed = await (await request.get('/api/v1/knowledge?since=0', { headers: lead })).json();
    const id = feed.items.find((i) => i.question === question).id;
    const published = await request.post(`/api/v1/knowledge/${id}/publish`, { headers: lead });
    expect(published.status()).toBe(200);
    expect((await published.json()).closed_misses).toBe(1);
    await expect.poll(async () => {
      const r = await request.post('/api/v1/ask', { headers: bot, data: { question: asked, dry_run: true } });
      return (await r.json()).answer?.answer;
    }, { timeout: 15000 }).toBe(reply);
  });
}
