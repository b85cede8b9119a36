import { test, expect } from '@playwright/test';
import { signIn, unique } from './helpers.mjs';

test('failed questions are grouped in the inbox; a trainer links one group and dismisses another with the keyboard, and undoes', async ({ page, request }) => {
  const tag = unique('z').replace(/\s+/g, '');
  const auth = { authorization: `Bearer ${process.env.BOT_TOKEN}` };
  const lead = { authorization: `Bearer ${process.env.REVIEWER_TOKEN}` };
  // Published knowledge the group will be linked to.
  const known = `Why is my virtual card ${tag} declined online?`;
  const kb = [{ category: `Cards/Virtual ${tag}`, question: known, answer: 'Check that online payments are switched on for it.', phrasings: [] }];
  expect((await request.post('/api/v1/knowledge/import?publish=true', { headers: lead, data: kb })).status()).toBe(200);
  // The bot reports questions it could not answer: three ways of asking one thing, and noise.
  const misses = [
    `my virtual card ${tag} does not work for online shopping`,
    `virtual card ${tag} declined when I pay online`,
    `why is my virtual card ${tag} refused by online shops`,
    `tell me a joke about penguins ${tag}`,
  ];
  const r = await request.post('/api/v1/misses', { headers: auth, data: { misses: misses.map((question) => ({ question, channel: 'online' })) } });
  expect(r.status()).toBe(202);

  // The assigner places new misses within a second or two.
  await expect.poll(async () => {
    const r = await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead });
    return (await r.json()).total;
  }, { timeout: 15000 }).toBe(2);

  await signIn(page, 'trainer', '/inbox');
  const groups = page.getByTestId('group');
  await page.getByTestId('inbox-search').fill(tag);
  await expect(groups).toHaveCount(2);
  await expect(groups.first().getByTestId('sparkline')).toBeVisible();
  await page.locator('body').click({ position: { x: 5, y: 5 } });

  // The keys are one press away.
  await page.keyboard.press('?');
  await expect(page.getByTestId('keys')).toContainText('merge the marked groups');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('keys')).toHaveCount(0);

  // Select the card group (j/k), open the link panel (l), link to the suggested point.
  const detail = page.getByTestId('group-detail');
  const card = groups.filter({ has: page.getByTestId('group-label').filter({ hasText: 'virtual card' }) });
  await expect(card.getByTestId('group-volume')).toHaveText('3');
  const cardFirst = (await groups.first().getByTestId('group-label').innerText()).includes('virtual card');
  if (!cardFirst) await page.keyboard.press('j');
  await expect(card).toHaveAttribute('aria-selected', 'true');
  await expect(detail.getByTestId('member')).toHaveCount(3);
  // Acting on the group claims it (looking did not).
  await page.keyboard.press('l');
  await expect(detail.getByTestId('claim')).toBeVisible();
  await detail.getByTestId('suggestion').filter({ hasText: known }).click();
  await expect(page.getByTestId('inbox-message')).toContainText('3 questions linked');
  await expect(groups).toHaveCount(1);
  // The questions are now phrasings of that point, waiting for review.
  const review = await request.get(`/api/v1/clusters?q=${tag}&status=resolved&members=all`, { headers: lead });
  const resolved = (await review.json()).clusters;
  expect(resolved).toHaveLength(1);
  expect(resolved[0].members).toHaveLength(3);

  // The joke: d, then 2 (chit-chat). Then undo (u) brings it back; dismiss it again.
  await expect(detail.getByTestId('detail-label')).toContainText('penguins');
  await page.keyboard.press('d');
  await page.keyboard.press('2');
  await expect(page.getByTestId('inbox-empty')).toBeVisible();
  await page.keyboard.press('u');
  await expect(page.getByTestId('inbox-message')).toContainText('back in the inbox');
  await expect(groups).toHaveCount(1);
  await page.keyboard.press('d');
  await page.keyboard.press('2');
  await expect(page.getByTestId('inbox-empty')).toBeVisible();

  // Asked again, the dismissed question does not come back as work.
  await request.post('/api/v1/misses', { headers: auth, data: { misses: [{ question: misses[3] }] } });
  await page.waitForTimeout(2500);
  const api = await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead });
  expect(api.status()).toBe(200);
  expect((await api.json()).total).toBe(0);
});

test('a group opened by one trainer shows as held to another, who cannot decide on it', async ({ browser, request }) => {
  const tag = unique('claim').replace(/\s+/g, '');
  const auth = { authorization: `Bearer ${process.env.BOT_TOKEN}` };
  const lead = { authorization: `Bearer ${process.env.REVIEWER_TOKEN}` };
  const question = `can I pay my rent ${tag} with a credit card`;
  await request.post('/api/v1/misses', { headers: auth, data: { misses: [{ question }] } });
  await expect.poll(async () => (await (await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead })).json()).total, { timeout: 15000 }).toBe(1);

  const first = await (await browser.newContext()).newPage();
  await signIn(first, 'trainer', '/inbox');
  await first.getByTestId('inbox-search').fill(tag);
  await expect(first.getByTestId('group-detail')).toContainText(tag);
  // Looking claims nothing: the group the page opened on stays free until the trainer acts.
  await first.waitForTimeout(500);
  const free = (await (await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead })).json()).clusters[0];
  expect(free.claimed_by).toBeNull();
  await first.getByTestId('group').filter({ hasText: tag }).click();
  await expect(first.getByTestId('group-detail').getByTestId('claim')).toBeVisible();

  const second = await (await browser.newContext()).newPage();
  await signIn(second, 'trainer2', '/inbox');
  await second.getByTestId('inbox-search').fill(tag);
  // Scoped to this test's group: other tests' trainers may hold groups at the same moment.
  await expect(second.getByTestId('group').filter({ hasText: tag }).getByTestId('group-claimed')).toContainText('trainer');
  await second.getByTestId('group').filter({ hasText: tag }).click();
  await expect(second.getByTestId('claim-refused')).toContainText('trainer is working on this group');
  await second.locator('body').click({ position: { x: 5, y: 5 } });
  await second.keyboard.press('d');
  await second.keyboard.press('1');
  await expect(second.getByTestId('inbox-error')).toContainText('working on this group');
  expect((await (await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead })).json()).total).toBe(1);
});

test('groups merge and split with the keyboard', async ({ page, request }) => {
  const tag = unique('ms').replace(/\s+/g, '');
  const auth = { authorization: `Bearer ${process.env.BOT_TOKEN}` };
  const lead = { authorization: `Bearer ${process.env.REVIEWER_TOKEN}` };
  const misses = [
    `do you offer pet insurance for my cat ${tag}`,
    `is there insurance for dogs and cats ${tag}`,
    `where is the nearest cash machine ${tag}`,
    `find an ATM near me ${tag}`,
  ];
  await request.post('/api/v1/misses', { headers: auth, data: { misses: misses.map((question) => ({ question })) } });
  await expect.poll(async () => (await (await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead })).json()).total, { timeout: 15000 }).toBe(2);

  await signIn(page, 'trainer', '/inbox');
  await page.getByTestId('inbox-search').fill(tag);
  const groups = page.getByTestId('group');
  await expect(groups).toHaveCount(2);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  // x marks the first group, j selects the second, m merges the marked one into it.
  await page.keyboard.press('x');
  await expect(groups.first().getByTestId('group-marked')).toBeVisible();
  await page.keyboard.press('j');
  await page.keyboard.press('m');
  await expect(page.getByTestId('inbox-message')).toContainText('2 questions merged');
  await expect(groups).toHaveCount(1);
  const detail = page.getByTestId('group-detail');
  await expect(detail.getByTestId('member')).toHaveCount(4);
  // 1 and 2 choose two questions, s splits them into a group of their own.
  await page.keyboard.press('1');
  await page.keyboard.press('2');
  await expect(detail.getByTestId('member-check').first()).toBeChecked();
  await page.keyboard.press('s');
  await expect(page.getByTestId('inbox-message')).toContainText('a group of their own');
  await expect(groups).toHaveCount(2);
  const sizes = (await (await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead })).json()).clusters.map((c) => c.size);
  expect(sizes.sort()).toEqual([2, 2]);
});

test('after a merge the selection stays on the group merged into, wherever it moved', async ({ page, request }) => {
  const tag = unique('stay').replace(/\s+/g, '');
  const auth = { authorization: `Bearer ${process.env.BOT_TOKEN}` };
  const lead = { authorization: `Bearer ${process.env.REVIEWER_TOKEN}` };
  const misses = [
    `do you offer pet insurance for my cat ${tag}`,
    `is there insurance for dogs and cats ${tag}`,
    `can I insure my pet rabbit ${tag}`,
    `find an ATM near me ${tag}`,
    `what are your mortgage rates ${tag}`,
    `I lost my passport abroad ${tag}`,
  ];
  await request.post('/api/v1/misses', { headers: auth, data: { misses: misses.map((question) => ({ question })) } });
  await expect.poll(async () => (await (await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead })).json()).total, { timeout: 15000 }).toBe(4);

  await signIn(page, 'trainer', '/inbox');
  await page.getByTestId('inbox-search').fill(tag);
  const groups = page.getByTestId('group');
  await expect(groups).toHaveCount(4);
  const labels = await groups.getByTestId('group-label').allInnerTexts();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  // Mark the second group (a single question), select the last one and merge into it: it grows
  // past the other single question and moves up the list.
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect(page.getByTestId('detail-label')).toHaveText(labels[3]);
  await page.keyboard.press('m');
  await expect(page.getByTestId('inbox-message')).toContainText('merged');
  await expect(groups).toHaveCount(3);
  await expect(page.getByTestId('detail-label')).toHaveText(labels[3]);
  await expect(groups.nth(1).getByTestId('group-label')).toHaveText(labels[3]);
  await expect(groups.nth(1)).toHaveAttribute('aria-selected', 'true');
});
