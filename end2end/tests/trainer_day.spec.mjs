import { test, expect } from '@playwright/test';
import { openHydrated, signIn, unique } from './helpers.mjs';

const bot = () => ({ authorization: `Bearer ${process.env.BOT_TOKEN}` });
const lead = () => ({ authorization: `Bearer ${process.env.REVIEWER_TOKEN}` });

async function chinese(page) {
  await page.context().addCookies([{ name: 'lang', value: 'zh', url: page.url() }]);
}

// Publishes `kb`, reports `misses` and waits until every one is in a group (a question may join
// a group of an earlier test); the groups holding them.
async function seed(request, tag, kb, misses) {
  if (kb.length) expect((await request.post('/api/v1/knowledge/import?publish=true', { headers: lead(), data: kb })).status()).toBe(200);
  const r = await request.post('/api/v1/misses', { headers: bot(), data: { misses: misses.map((question) => ({ question })) } });
  expect(r.status()).toBe(202);
  let clusters = [];
  await expect.poll(async () => {
    clusters = (await (await request.get(`/api/v1/clusters?q=${tag}&members=all&limit=100`, { headers: lead() })).json()).clusters;
    return clusters.flatMap((c) => c.members).filter((m) => m.question.includes(tag)).length;
  }, { timeout: 15000 }).toBe(misses.length);
  return clusters;
}

for (const lang of ['en', 'zh']) {
  test(`${lang}: a link is undone after a reload, from "My decisions" and with u`, async ({ page, request }) => {
    const tag = unique('undo').replace(/\s+/g, '');
    const known = `How do I top up ${tag} by bank transfer?`;
    // Two ways to top up: the group's questions could mean either, so the bot asks back instead
    // of answering (an answered question would be closed by the closing sweep mid-test).
    const kb = [
      { category: `Top up ${tag}`, question: known, answer: 'Use the IBAN in the app.', phrasings: [] },
      { category: `Top up ${tag}`, question: `How do I top up ${tag} with a card?`, answer: 'Under Top up, choose Card.', phrasings: [] },
    ];
    const groups = await seed(request, tag, kb, [`top up ${tag}`, `topping up ${tag}`, `I want to top up ${tag}`]);
    expect(groups).toHaveLength(1);
    const size = groups[0].members.length;
    await signIn(page, 'trainer', '/inbox');
    if (lang === 'zh') await chinese(page);
    await openHydrated(page, '/inbox');
    await page.getByTestId('inbox-search').fill(tag);
    await expect(page.getByTestId('group')).toHaveCount(1);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    // A new point would go where the nearest point is.
    await page.keyboard.press('n');
    await expect(page.getByTestId('create-category')).toHaveValue(`Top up ${tag}`);
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('l');
    // What would answer these after linking: the point, for each of the three.
    const suggestion = page.locator('li', { has: page.getByTestId('suggestion').filter({ hasText: known }) });
    await suggestion.getByTestId('suggestion-try').click();
    await expect(page.getByTestId('try-row')).toHaveCount(size);
    for (const row of await page.getByTestId('try-row').all()) await expect(row).toHaveAttribute('data-draft-answers', 'true');
    await page.getByTestId('suggestion').filter({ hasText: known }).click();
    await expect(page.getByTestId('inbox-message')).toBeVisible();

    // A reload: "My decisions" lists it, undoable; undo there brings the group back.
    await openHydrated(page, '/decisions');
    const row = page.getByTestId('decision').first();
    await expect(row).toHaveAttribute('data-action', 'link');
    await expect(row).toContainText(known);
    await expect(page.locator('h1')).toHaveText(lang === 'zh' ? '我的处理记录' : 'My decisions');
    await row.getByTestId('decision-undo').click();
    await expect(page.getByTestId('decisions-message')).toContainText(lang === 'zh' ? `${size} 个问题已回到待处理` : `${size} questions are back`);
    await expect(row.getByTestId('decision-undone')).toBeVisible();

    // Decide again, reload the inbox, and u still takes it back.
    await openHydrated(page, '/inbox');
    await page.getByTestId('inbox-search').fill(tag);
    await expect(page.getByTestId('group')).toHaveCount(1);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('d');
    await page.keyboard.press('1');
    await expect(page.getByTestId('inbox-message')).toBeVisible();
    await expect(page.getByTestId('group')).toHaveCount(0);
    await openHydrated(page, '/inbox');
    await page.getByTestId('inbox-search').fill(tag);
    await expect(page.getByTestId('undo')).toBeVisible();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('u');
    await expect(page.getByTestId('group')).toHaveCount(1);
    // Closed again, so the next run's questions do not join it.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('d');
    await page.keyboard.press('1');
    await expect(page.getByTestId('group')).toHaveCount(0);
  });
}

test('a draft is discarded back to its published version, its inbox questions back in the inbox', async ({ page, request }) => {
  const tag = unique('discard').replace(/\s+/g, '');
  const known = `Can I freeze my card ${tag} in the app?`;
  // Questions the point does not answer (published knowledge would close them at once), linked
  // to it through the search.
  const groups = await seed(request, tag, [{ category: `Freeze ${tag}`, question: known, answer: 'Yes, under Card settings.', phrasings: [] }],
    [`which colour is the sky ${tag}`, `which colour is the sea ${tag}`]);
  await signIn(page, 'trainer', '/inbox');
  await page.getByTestId('inbox-search').fill(tag);
  await expect(page.getByTestId('group')).toHaveCount(groups.length);
  const members = await page.getByTestId('group-detail').getByTestId('member').count();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('l');
  await page.getByTestId('link-search').fill(`freeze ${tag}`);
  await page.getByTestId('link-result').filter({ hasText: known }).click();
  await expect(page.getByTestId('inbox-message')).toBeVisible();
  const id = (await (await request.get(`/api/v1/knowledge?since=0`, { headers: bot() })).json()).items.find((p) => p.question === known).id;

  await openHydrated(page, `/knowledge/${id}`);
  await expect(page.getByTestId('phrasing')).toHaveCount(members);
  await page.getByTestId('discard-draft').click();
  await expect(page.getByTestId('editor-message')).toHaveAttribute('data-key', 'editor.discarded');
  await expect(page.getByTestId('phrasing')).toHaveCount(0);
  await expect(page.getByTestId('discard-draft')).toHaveCount(0);
  const open = await (await request.get(`/api/v1/clusters?q=${tag}`, { headers: lead() })).json();
  expect(open.total).toBe(groups.length);
});

test('n on a near-duplicate offers "link to it instead", and linking works', async ({ page, request }) => {
  const tag = unique('near').replace(/\s+/g, '');
  const known = `How do I cancel the ${tag} insurance add-on I do not need?`;
  // The group is about something else (a question the point answered would be closed by the
  // closing sweep): what matters is the question the trainer types.
  await seed(request, tag, [{ category: `Add-ons ${tag}`, question: known, answer: 'In the app, under Plan.', phrasings: [] }],
    [`which colour is the moon ${tag}`]);
  await signIn(page, 'trainer', '/inbox');
  await page.getByTestId('inbox-search').fill(tag);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('n');
  // The category comes from the tree.
  await page.getByTestId('create-category').selectOption(`Add-ons ${tag}`);
  await page.getByTestId('create-question').fill(`How do I cancel the ${tag} insurance add-on?`);
  await page.getByTestId('create-answer').fill('In the app.');
  await page.getByTestId('create-run').click();
  const similar = page.getByTestId('create-similar');
  await expect(similar).toContainText(known);
  // One key away: the "link instead" button has the focus.
  await expect(page.getByTestId('create-link-instead')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('inbox-message')).toContainText('linked');
  const resolved = await (await request.get(`/api/v1/clusters?q=${tag}&status=resolved`, { headers: lead() })).json();
  expect(resolved.total).toBe(1);
});

test('five groups are dismissed at once and the bulk action is undone as one', async ({ page, request }) => {
  const tag = unique('bulk').replace(/\s+/g, '');
  const noise = [`tell me a joke about penguins ${tag}`, `what is the weather forecast for rome tomorrow ${tag}`,
    `who won the football world cup in 1998 ${tag}`, `recommend a pizza restaurant in naples ${tag}`,
    `what is the capital city of australia ${tag}`, `sing happy birthday to my grandmother ${tag}`,
    `how tall is mount everest ${tag}`];
  // Seven subjects make at least five groups.
  const total = (await seed(request, tag, [], noise)).length;
  expect(total).toBeGreaterThanOrEqual(5);

  await signIn(page, 'trainer', '/inbox');
  await page.getByTestId('inbox-search').fill(tag);
  const groups = page.getByTestId('group');
  await expect(groups).toHaveCount(total);
  for (let i = 0; i < 5; i++) await groups.nth(i).getByTestId('group-mark').click();
  await expect(page.getByTestId('bulk-count')).toHaveText('5 groups marked');
  await page.getByTestId('bulk-reason').selectOption('chit-chat');
  await page.getByTestId('bulk-dismiss').click();
  await expect(page.getByTestId('inbox-message')).toContainText('5 groups dismissed');
  await expect(groups).toHaveCount(total - 5);

  await openHydrated(page, '/decisions');
  const row = page.getByTestId('decision').first();
  await expect(row.getByTestId('decision-groups')).toHaveText('5 groups');
  await row.getByTestId('decision-undo').click();
  await expect(page.getByTestId('decisions-message')).toContainText('are back in the inbox');
  await openHydrated(page, '/inbox');
  await page.getByTestId('inbox-search').fill(tag);
  await expect(groups).toHaveCount(total);
});

test('"Try it" shows the draft answering its phrasing, and a regression before review', async ({ page, request }) => {
  const tag = unique('try').replace(/\s+/g, '');
  const question = `Where can I see my ${tag} statement?`;
  const phrasing = `${tag} statement download`;
  await seed(request, tag, [{ category: `Statements ${tag}`, question, answer: 'Under Documents.', phrasings: [phrasing] }], [`zz ${tag}`]);
  const id = (await (await request.get(`/api/v1/knowledge?since=0`, { headers: bot() })).json()).items.find((p) => p.question === question).id;
  await signIn(page, 'trainer', `/knowledge/${id}`);
  await page.getByTestId('try-questions').fill(`how do i get my ${tag} statement`);
  await page.getByTestId('try-run').click();
  const rows = page.getByTestId('try-row');
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toHaveAttribute('data-draft-answers', 'true');
  await expect(page.getByTestId('try-no-regressions')).toBeVisible();

  // Reworded into something else (not saved): its own published phrasing would lose its answer.
  await page.getByTestId('editor-question').fill(`Do you sell ${tag} gift vouchers?`);
  await page.getByTestId('remove-phrasing').first().click();
  await page.getByTestId('try-run').click();
  await expect(page.getByTestId('try-regression').filter({ hasText: phrasing })).toHaveCount(1);
  // Nothing was saved.
  const after = (await (await request.get(`/api/v1/knowledge?since=0`, { headers: bot() })).json()).items.find((p) => p.id === id);
  expect(after.question).toBe(question);
});

test('each role\'s home page shows its own queue; the system status is on the admin page', async ({ browser, request }) => {
  const tag = unique('home').replace(/\s+/g, '');
  const [group] = await seed(request, tag, [], [`lost my ${tag} pin`]);
  // A trainer hands the group to trainer2: it is on trainer2's home page.
  const lead = await (await browser.newContext()).newPage();
  await signIn(lead, 'trainer', '/inbox');
  await lead.getByTestId('inbox-search').fill(tag);
  await expect(lead.getByTestId('group')).toHaveCount(1);
  await lead.getByTestId('group-mark').click();
  await lead.getByTestId('bulk-trainer').selectOption('trainer2');
  await lead.getByTestId('bulk-assign').click();
  await expect(lead.getByTestId('inbox-message')).toContainText('1 group assigned to trainer2');
  await expect(lead.getByTestId('group-claimed')).toContainText('trainer2');
  const trainer = await (await browser.newContext()).newPage();
  await signIn(trainer, 'trainer2', '/');
  await expect(trainer.getByTestId('home-queue').getByTestId('home-group')).toContainText(group.label);
  await expect(trainer.getByTestId('home-drafts')).toBeVisible();
  await expect(trainer.getByTestId('status-panel')).toHaveCount(0);

  const reviewer = await (await browser.newContext()).newPage();
  await signIn(reviewer, 'reviewer', '/');
  await expect(reviewer.getByTestId('home-review')).toBeVisible();

  const supervisor = await (await browser.newContext()).newPage();
  await signIn(supervisor, 'supervisor', '/');
  await expect(supervisor.getByTestId('home-coverage')).toHaveText(/%$/);

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin', '/admin');
  await expect(admin.getByTestId('status-panel')).toBeVisible();
});
