import { test, expect } from '@playwright/test';
import { openHydrated, signIn, unique } from './helpers.mjs';

test('the loop closes: missed questions → a group → a new point by keyboard → reviewed and published → answered, with the loop yield shown', async ({ browser, request }) => {
  const tag = unique('loop').replace(/\s+/g, '');
  const bot = { authorization: `Bearer ${process.env.BOT_TOKEN}` };
  const lead = { authorization: `Bearer ${process.env.REVIEWER_TOKEN}` };
  const questions = [
    `do you rent out safe deposit boxes ${tag}`,
    `can I get a safe deposit box at your bank ${tag}`,
    `how much does a safe deposit box cost ${tag}`,
  ];
  // The bot cannot answer them yet: each is recorded as a miss.
  for (const question of questions) {
    const r = await request.post('/api/v1/ask', { headers: bot, data: { question, channel: 'bot' } });
    expect(r.status()).toBe(200);
    expect((await r.json()).outcome).toBe('miss');
  }
  await expect.poll(async () => {
    const r = await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead });
    const page = await r.json();
    return page.clusters.map((c) => c.size);
  }, { timeout: 15000 }).toEqual([3]);

  // The trainer opens the inbox; n opens the new-point form prefilled from the group, the
  // answer field has the focus; Ctrl+Enter creates it.
  const trainer = await (await browser.newContext()).newPage();
  // The category the new point goes in: new points from the inbox pick one from the tree.
  await signIn(trainer, 'trainer', '/knowledge');
  await trainer.getByTestId('category-name').fill(`Vaults ${tag}`);
  await trainer.getByTestId('category-save').click();
  await expect(trainer.getByTestId('category-tree').locator(`a[data-path="Vaults ${tag}"]`)).toBeVisible();
  await openHydrated(trainer, '/inbox');
  await trainer.getByTestId('inbox-search').fill(tag);
  await expect(trainer.getByTestId('group')).toHaveCount(1);
  await expect(trainer.getByTestId('group-detail').getByTestId('member')).toHaveCount(3);
  await trainer.locator('body').click({ position: { x: 5, y: 5 } });
  await trainer.keyboard.press('n');
  const answer = trainer.getByTestId('create-answer');
  await expect(answer).toBeFocused();
  const label = await trainer.getByTestId('create-question').inputValue();
  expect(questions).toContain(label);
  await trainer.getByTestId('create-category').selectOption(`Vaults ${tag}`);
  await answer.focus();
  await trainer.keyboard.type('Yes, in larger branches, from 60 a year; book one at the counter.');
  await trainer.keyboard.press('Control+Enter');
  // Checked against the published knowledge first: a near-duplicate would be named here.
  await expect(trainer.getByTestId('inbox-message').or(trainer.getByTestId('create-similar'))).toBeVisible();
  if (await trainer.getByTestId('create-similar').isVisible()) await trainer.getByTestId('create-run').click();
  await expect(trainer.getByTestId('inbox-message')).toContainText('3 questions in a new point');
  await expect(trainer.getByTestId('inbox-empty')).toBeVisible();

  // The reviewer sees the change and the regression check, and publishes.
  const reviewer = await (await browser.newContext()).newPage();
  await signIn(reviewer, 'reviewer', '/review');
  const item = reviewer.getByTestId('review-item').filter({ hasText: label });
  await expect(item).toHaveCount(1);
  await expect(item.getByTestId('regressions-none')).toBeVisible();
  const id = await item.getAttribute('data-id');
  await item.getByTestId('approve').click();
  await expect(reviewer.getByTestId('review-message')).toContainText('published');
  await expect(reviewer.getByTestId('closed-misses')).toHaveText('3');

  // The same questions are answered now, by the new point.
  for (const question of questions) {
    const r = await request.post('/api/v1/ask', { headers: bot, data: { question, dry_run: true } });
    const body = await r.json();
    expect(body.outcome).toBe('answered');
    expect(body.answer.knowledge_id).toBe(id);
  }
  // Nothing of it is left in the inbox, and the point shows what it closed.
  const open = await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead });
  expect((await open.json()).total).toBe(0);
  await openHydrated(reviewer, `/knowledge/${id}`);
  await expect(reviewer.getByTestId('loop-yield')).toContainText('3');
});

test('the review page shows the answers a change would take over, and publishing them needs "Publish anyway"', async ({ browser, request }) => {
  const tag = unique('reg').replace(/\s+/g, '');
  const bot = { authorization: `Bearer ${process.env.BOT_TOKEN}` };
  const lead = { authorization: `Bearer ${process.env.REVIEWER_TOKEN}` };
  const known = `hamster ${tag} in the branch`;
  const kb = [{ category: `Pets ${tag}`, question: `Can I bring my hamster ${tag} to the branch?`, answer: 'Small pets in a cage are fine.', phrasings: [known] }];
  expect((await request.post('/api/v1/knowledge/import?publish=true', { headers: lead, data: kb })).status()).toBe(200);
  // The first is the published phrasing with a question mark: the new point would answer it too.
  const misses = [`hamster ${tag} in the branch?`, `is a hamster ${tag} allowed in the branch`];
  await request.post('/api/v1/misses', { headers: bot, data: { misses: misses.map((question) => ({ question })) } });
  let group;
  await expect.poll(async () => {
    const page = await (await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead })).json();
    group = page.clusters[0];
    return page.clusters.map((c) => c.size);
  }, { timeout: 15000 }).toEqual([2]);
  const decided = await request.post(`/api/v1/clusters/${group.id}/resolve`, {
    headers: lead,
    data: { action: 'create', category: `Pets ${tag}`, question: `Are hamsters ${tag} allowed in the branch?`, answer: 'No pets at all.' },
  });
  expect(decided.status()).toBe(200);
  const id = (await decided.json()).knowledge_id;

  const reviewer = await (await browser.newContext()).newPage();
  await signIn(reviewer, 'reviewer', '/review');
  const item = reviewer.locator(`[data-testid=review-item][data-id="${id}"]`);
  await expect(item.getByTestId('regression').filter({ hasText: known })).toHaveCount(1);
  await expect(item.getByTestId('approve')).toHaveText('Publish anyway');
  await item.getByTestId('approve').click();
  await expect(reviewer.getByTestId('review-message')).toContainText('published');
});
