import { test, expect } from '@playwright/test';
import { runImport, signIn, unique } from './helpers.mjs';

test('published knowledge is served at once: typeahead, test window, click heat, and the bot API', async ({ page, request }) => {
  // A reviewer imports and publishes in one step.
  await signIn(page, 'reviewer', '/knowledge');
  const tag = unique('Pets').replace(/\s+/g, '');
  const question = `Can I bring my dog ${tag} into the branch?`;
  const csv = `category,question,answer,phrasings\nBranches/${tag},${question},Yes: assistance dogs and pets on a lead are welcome.,are pets allowed in your branches ${tag}|can my dog come with me to the bank ${tag}`;
  await page.getByTestId('import-panel').evaluate((panel) => { panel.open = true; });
  await page.getByTestId('import-text').fill(csv);
  await page.getByTestId('import-publish').check();
  await runImport(page);
  await expect(page.getByTestId('import-report')).toContainText('1 created');

  // Typeahead: results appear while typing, no submit.
  await page.getByTestId('nav').getByRole('link', { name: 'Search' }).click();
  await page.getByTestId('ask-input').pressSequentially(`is my dog allowed in the branch ${tag}`, { delay: 5 });
  const first = page.getByTestId('candidate').first();
  await expect(first).toContainText(question);
  await expect(page.getByTestId('ask-outcome')).toHaveAttribute('data-outcome', /answered|clarify/);
  await expect(first).toContainText('meaning');
  await expect(first.getByTestId('clicks')).toHaveText('0');

  // Opening it shows the answer and counts a click.
  const opened = page.waitForResponse((r) => r.url().endsWith('/api/open_knowledge'));
  await first.getByTestId('open-candidate').click();
  await expect(first.getByTestId('candidate-answer')).toContainText('assistance dogs');
  expect((await opened).status()).toBe(200);
  await page.getByTestId('ask-input').fill(`dogs in the branch ${tag}?`);
  await expect(page.getByTestId('candidate').first().getByTestId('clicks')).toHaveText('1');

  // The bot gets the same knowledge over the API, and an unrelated question is not answered.
  const auth = { authorization: `Bearer ${process.env.BOT_TOKEN}` };
  const ask = await request.post('/api/v1/ask', { headers: auth, data: { question: `can my dog come with me to the bank ${tag}` } });
  expect(ask.status()).toBe(200);
  const body = await ask.json();
  expect(body.outcome).toBe('answered');
  expect(body.answer.question).toBe(question);
  const miss = await request.post('/api/v1/ask', { headers: auth, data: { question: 'What is the capital of Mongolia?' } });
  expect((await miss.json()).outcome).not.toBe('answered');
  const bad = await request.post('/api/v1/ask', { headers: auth, data: { question: 'x'.repeat(10000) } });
  expect(bad.status()).toBe(422);
  expect((await bad.json()).error.code).toBe('invalid');
});
