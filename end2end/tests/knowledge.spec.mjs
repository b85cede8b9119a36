import { test, expect } from '@playwright/test';
import { PASSWORD, openHydrated, runImport, saveDraft, signIn, unique } from './helpers.mjs';

test('sign-in refuses a wrong password, guards pages by role, and signs out', async ({ page }) => {
  // Anonymous visitors are sent to sign in, and come back where they wanted to go.
  await page.goto('/knowledge');
  await expect(page).toHaveURL(/\/login\?next=\/knowledge$/);
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('input[name=name]').fill('trainer');
  await page.locator('input[name=password]').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signin-error')).toHaveText('wrong name or password');

  await page.locator('input[name=password]').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/knowledge$/);
  await expect(page.getByTestId('user')).toContainText('trainer');
  // A trainer does not see, and cannot open, the reviewers' page.
  await expect(page.getByTestId('nav').getByRole('link', { name: 'Review' })).toHaveCount(0);
  const review = await page.goto('/review');
  expect(review.status()).toBe(403);

  await openHydrated(page, '/knowledge');
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/login$/);
  const again = await page.goto('/knowledge');
  await expect(page).toHaveURL(/\/login/);
  expect(again.status()).toBe(200);
});

test('a trainer writes a point, a reviewer publishes it, bots receive it', async ({ browser, request }) => {
  const trainer = await (await browser.newContext()).newPage();
  await signIn(trainer, 'trainer', '/knowledge');
  const category = unique('E2E Cards');
  await trainer.getByTestId('category-name').fill(category);
  await trainer.getByTestId('category-template').selectOption('service');
  await trainer.getByTestId('category-save').click();
  const node = trainer.getByTestId('category-tree').locator(`a[data-path="${category}"]`);
  await expect(node).toBeVisible();
  await node.click();
  await expect(trainer).toHaveURL(/category=\d+/);
  await trainer.getByTestId('new-point').click();

  const question = unique('When will my new card arrive');
  await expect(trainer.getByTestId('editor-title')).toHaveText('New knowledge point');
  await trainer.getByTestId('editor-slot').selectOption('time');
  await trainer.getByTestId('editor-question').fill(question);
  await trainer.getByTestId('editor-answer').fill('Within 5 working days.');
  for (const p of ['card not here yet', 'still waiting for my card', 'typo phrasng']) {
    await trainer.getByTestId('new-phrasing').fill(p);
    await trainer.getByTestId('new-phrasing').press('Enter');
  }
  await expect(trainer.getByTestId('phrasing')).toHaveCount(3);
  await saveDraft(trainer);
  await expect(trainer).toHaveURL(/\/knowledge\/\d+$/);
  const id = trainer.url().split('/').pop();
  await expect(trainer.getByTestId('editor-status')).toContainText('Draft');
  await expect(trainer.getByTestId('phrasing')).toHaveCount(3);

  // Inline edits: fix one phrasing, remove another, change the answer; save; submit.
  await trainer.getByTestId('phrasing').nth(2).fill('typo phrasing fixed');
  await trainer.getByTestId('phrasing').nth(2).blur();
  await trainer.getByTestId('remove-phrasing').nth(1).click();
  await trainer.getByTestId('editor-answer').fill('Within 3 working days.');
  await expect(trainer.getByTestId('submit-review')).toBeDisabled();
  await saveDraft(trainer);
  await expect(trainer.getByTestId('editor-message')).toHaveText('Draft saved.');
  await expect(trainer.getByTestId('revision')).toHaveCount(2);
  await trainer.getByTestId('submit-review').click();
  await expect(trainer.getByTestId('editor-status')).toContainText('In review');

  // The reviewer sees the change as a diff and publishes it.
  const reviewer = await (await browser.newContext()).newPage();
  await signIn(reviewer, 'reviewer', '/review');
  const item = reviewer.locator(`[data-testid=review-item][data-id="${id}"]`);
  await expect(item).toContainText(question);
  await expect(item.locator('[data-field=answer] ins')).toContainText('3');
  await expect(item.locator('[data-field=phrasings]')).toContainText('typo phrasing fixed');
  await item.getByTestId('approve').click();
  await expect(reviewer.getByTestId('review-message')).toContainText('published');
  await expect(item).toHaveCount(0);

  // Bots pull it from the API.
  const feed = await request.get('/api/v1/knowledge?since=0', { headers: { authorization: `Bearer ${process.env.BOT_TOKEN}` } });
  expect(feed.status()).toBe(200);
  const items = (await feed.json()).items.filter((i) => i.id === id);
  expect(items).toHaveLength(1);
  expect(items[0]).toMatchObject({ question, answer: 'Within 3 working days.', category, deleted: false });
  expect(items[0].phrasings).toEqual(['card not here yet', 'typo phrasing fixed']);

  // The module page shows it, with the template slot it fills; history restores revision 1.
  await openHydrated(trainer, `/knowledge/${id}`);
  await expect(trainer.getByTestId('editor-status')).toContainText('Published');
  await trainer.locator('[data-testid=revision][data-number="1"]').getByTestId('restore').click();
  await expect(trainer.getByTestId('editor-message')).toHaveText('Restored as a new draft.');
  await expect(trainer.getByTestId('editor-answer')).toHaveValue('Within 5 working days.');
  await expect(trainer.getByTestId('revision')).toHaveCount(3);
});

test('the second of two concurrent edits is refused and overwrites nothing', async ({ browser }) => {
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  await signIn(a, 'trainer', '/knowledge/new');
  const question = unique('How do I freeze my card');
  await a.getByTestId('editor-question').fill(question);
  await a.getByTestId('editor-answer').fill('In the app, under Card.');
  await saveDraft(a);
  await expect(a).toHaveURL(/\/knowledge\/\d+$/);
  const url = new URL(a.url()).pathname;

  await signIn(b, 'trainer2', url);
  await expect(b.getByTestId('editor-answer')).toHaveValue('In the app, under Card.');
  await a.getByTestId('editor-answer').fill("Alice's answer");
  await saveDraft(a);
  await expect(a.getByTestId('editor-message')).toHaveText('Draft saved.');

  await b.getByTestId('editor-answer').fill("Bob's answer");
  await saveDraft(b);
  await expect(b.getByTestId('editor-error')).toContainText('was changed by trainer');
  await expect(b.getByTestId('editor-error')).toContainText('Nothing was saved');
  await openHydrated(b, url);
  await expect(b.getByTestId('editor-answer')).toHaveValue("Alice's answer");
});

test('import keeps good rows, reports bad lines, and the module page shows missing template slots', async ({ page }) => {
  await signIn(page, 'trainer', '/knowledge');
  const module = unique('E2E Import');
  const csv = [
    'category,question,answer,phrasings',
    `${module}/Fees,Is there a monthly fee?,No monthly fee.,monthly charge|do I pay every month`,
    `${module}/Fees,,An answer without a question,`,
  ].join('\n');
  await page.getByTestId('import-panel').evaluate((panel) => { panel.open = true; });
  await page.getByTestId('import-text').fill(csv);
  await runImport(page);
  await expect(page.getByTestId('import-report')).toContainText('1 created');
  await expect(page.getByTestId('import-line-error')).toHaveText('Line 3: the question is empty');

  await page.getByTestId('knowledge-search').fill('monthly charge');
  await page.getByTestId('knowledge-search').press('Enter');
  await expect(page).toHaveURL(/q=monthly%20charge/);
  await expect(page.getByTestId('point-row')).toContainText(['Is there a monthly fee?']);

  // Chinese search works on substrings, no segmenter needed.
  await page.getByTestId('import-panel').evaluate((panel) => { panel.open = true; });
  await page.getByTestId('import-text').fill(`category,question,answer,phrasings\n${module}/宽带,宽带断网了怎么办？,请重启光猫。,家里网断了|宽带连不上`);
  await runImport(page);
  await expect(page.getByTestId('import-report')).toContainText('1 created');
  await page.getByTestId('knowledge-search').fill('网断');
  await page.getByTestId('knowledge-search').press('Enter');
  await expect(page.getByTestId('point-row')).toHaveCount(1);
  await expect(page.getByTestId('point-row')).toContainText('宽带断网了怎么办？');

  // Make the module a pricing module: every slot is missing until a point fills it.
  await page.getByTestId('category-tree').locator(`a[data-path="${module}/Fees"]`).click();
  await page.getByTestId('category-edit').click();
  await page.getByTestId('category-template').selectOption('pricing');
  await page.getByTestId('category-save').click();
  await expect(page.getByTestId('category-tree').locator(`a[data-path="${module}/Fees"]`)).toContainText('Pricing');
  await page.getByTestId('module-page-link').click();
  await expect(page.getByTestId('module-title')).toHaveText(`${module}/Fees`);
  await expect(page.getByTestId('missing-count')).toHaveText('5');
  await expect(page.getByTestId('slot')).toHaveCount(5);
});

test('a reviewer sends a draft back with a comment the author sees', async ({ browser }) => {
  const trainer = await (await browser.newContext()).newPage();
  await signIn(trainer, 'trainer', '/knowledge/new');
  const question = unique('Can I pay with my watch');
  await trainer.getByTestId('editor-question').fill(question);
  await trainer.getByTestId('editor-answer').fill('Yes.');
  await saveDraft(trainer);
  await expect(trainer).toHaveURL(/\/knowledge\/\d+$/);
  const id = trainer.url().split('/').pop();
  await trainer.getByTestId('submit-review').click();
  await expect(trainer.getByTestId('editor-status')).toContainText('In review');

  const reviewer = await (await browser.newContext()).newPage();
  await signIn(reviewer, 'reviewer', '/review');
  const item = reviewer.locator(`[data-testid=review-item][data-id="${id}"]`);
  await item.getByTestId('reject').click();
  await expect(reviewer.getByTestId('review-error')).toContainText('say why');
  await item.getByTestId('reject-comment').fill('Name the watches that work.');
  await item.getByTestId('reject').click();
  await expect(reviewer.getByTestId('review-message')).toContainText('sent back');

  await openHydrated(trainer, `/knowledge/${id}`);
  await expect(trainer.getByTestId('editor-status')).toContainText('Rejected');
  await expect(trainer.getByTestId('review-comment')).toContainText('Name the watches that work.');
  await expect(trainer.getByTestId('submit-review')).toBeEnabled();
});

test('saving a change that is in review says it left review and must be submitted again', async ({ page }) => {
  await signIn(page, 'trainer', '/knowledge/new');
  await page.getByTestId('editor-question').fill(unique('Can I freeze my card from the watch app'));
  await page.getByTestId('editor-answer').fill('Yes, in the app.');
  await saveDraft(page);
  await expect(page).toHaveURL(/\/knowledge\/\d+$/);
  await page.getByTestId('submit-review').click();
  await expect(page.getByTestId('editor-status')).toContainText('In review');
  // The header's revision is the history's numbering, not the save counter.
  await expect(page.getByTestId('editor-version')).toHaveText('Revision 1');

  await page.getByTestId('editor-answer').fill('Yes, in the app, under Card.');
  await saveDraft(page);
  await expect(page.getByTestId('editor-message')).toHaveAttribute('data-key', 'editor.saved_left_review');
  await expect(page.getByTestId('editor-message')).toContainText('no longer in review: submit it again');
  await expect(page.getByTestId('editor-status')).toContainText('Draft');
  // Said again in the other language when the trainer switches.
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('editor-message')).toContainText('已退出审核');
  await page.getByTestId('lang-switch').click();
});

test('the editor warns when a point holds what looks like a customer\'s personal data, until it is gone', async ({ page }) => {
  await signIn(page, 'trainer', '/knowledge/new');
  await page.getByTestId('editor-question').fill(unique('我的快递单号查不到怎么办'));
  // A customer's mobile number pasted into the answer; the company's hotline is fine.
  await page.getByTestId('editor-answer').fill('请拨打客服热线 400 800 1234，或联系 13812345678 的张先生。');
  await saveDraft(page);
  await expect(page).toHaveURL(/\/knowledge\/\d+$/);
  const warning = page.getByTestId('personal-data-warning');
  await expect(warning).toContainText('mobile numbers (Answer)');
  await expect(warning).not.toContainText('400');
  await page.getByTestId('lang-switch').click();
  await expect(warning).toContainText('手机号（标准答案）');
  await page.getByTestId('lang-switch').click();
  // Knowledge is the company's text: it is stored as written, not masked.
  await expect(page.getByTestId('editor-answer')).toHaveValue(/13812345678/);
  await page.getByTestId('editor-answer').fill('请拨打客服热线 400 800 1234。');
  await saveDraft(page);
  await expect(page.getByTestId('editor-message')).toBeVisible();
  await expect(warning).toHaveCount(0);
});
