import { test, expect } from '@playwright/test';
import { signIn, unique } from './helpers.mjs';

test('failed questions are grouped in the inbox, and a trainer links one group and dismisses another', async ({ page, request }) => {
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

  // Matched by label: the other group's suggestion may name the card point too.
  const card = groups.filter({ has: page.getByTestId('group-label').filter({ hasText: 'virtual card' }) });
  await expect(card.getByTestId('group-volume')).toHaveText('3');
  await card.getByTestId('group-open').click();
  await expect(card.getByTestId('group-members').locator('li')).toHaveCount(3);
  const link = card.getByTestId('group-link').filter({ hasText: known });
  await expect(link).toBeVisible();
  await link.click();
  await expect(groups).toHaveCount(1);
  // The questions are now phrasings of that point, waiting for review.
  const review = await request.get(`/api/v1/clusters?q=${tag}&status=resolved&members=all`, { headers: lead });
  const resolved = (await review.json()).clusters;
  expect(resolved).toHaveLength(1);
  expect(resolved[0].members).toHaveLength(3);

  const joke = groups.filter({ has: page.getByTestId('group-label').filter({ hasText: 'penguins' }) });
  await joke.getByTestId('group-open').click();
  await joke.getByTestId('dismiss-reason').selectOption('chit-chat');
  await joke.getByTestId('group-dismiss').click();
  await expect(page.getByTestId('inbox-empty')).toBeVisible();

  // Asked again, the dismissed question does not come back as work.
  await request.post('/api/v1/misses', { headers: auth, data: { misses: [{ question: misses[3] }] } });
  await page.waitForTimeout(2500);
  const api = await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead });
  expect(api.status()).toBe(200);
  expect((await api.json()).total).toBe(0);
});
