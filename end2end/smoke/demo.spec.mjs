// The product as a new user first meets it: scripts/run.sh's release build with the demo loaded.
// Passwords are the ones the demo generated (scripts/smoke.sh reads them from its output).
import { test, expect } from '@playwright/test';
import { openHydrated, signIn } from '../tests/helpers.mjs';

test('the demo trainer finds knowledge in both languages, asks, and works the inbox', async ({ page }) => {
  await signIn(page, 'trainer', '/knowledge', process.env.DEMO_TRAINER_PASSWORD);

  await page.getByTestId('knowledge-search').fill('网断');
  await page.getByTestId('knowledge-search').press('Enter');
  await expect(page.getByTestId('point-row')).toContainText(['宽带断网了怎么办？']);
  await page.getByTestId('knowledge-search').fill('activate card');
  await page.getByTestId('knowledge-search').press('Enter');
  await expect(page.getByTestId('point-row').first()).toBeVisible();

  await page.getByTestId('nav').getByRole('link', { name: 'Search' }).click();
  await page.getByTestId('ask-input').pressSequentially('How do I activate my card?', { delay: 5 });
  await expect(page.getByTestId('ask-outcome')).toHaveAttribute('data-outcome', 'answered');

  // The demo's unanswered questions wait in the inbox; the keys work only once hydrated.
  await openHydrated(page, '/inbox');
  const groups = page.getByTestId('group');
  await expect(groups.first()).toBeVisible();
  expect(await groups.count()).toBeGreaterThan(1);
  await expect(groups.nth(0)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('j');
  await expect(groups.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('claim')).toBeVisible();
  await page.keyboard.press('?');
  await expect(page.getByTestId('keys')).toBeVisible();
  await page.keyboard.press('?');

  // The demo's rejected answers show what went wrong: the earlier turn and the agent's reply.
  await page.getByTestId('inbox-search').fill('怎么拦截骚扰');
  await expect(groups).toHaveCount(1);
  const item = page.getByTestId('group-detail').getByTestId('rejected-item');
  await expect(item.getByTestId('rejected-turns')).toContainText('你好，最近骚扰电话太多了');
  await expect(item.getByTestId('rejected-agent')).toContainText('防骚扰');
  await page.getByTestId('inbox-search').fill('same coffee');
  await expect(groups).toHaveCount(1);
  await expect(item.getByTestId('rejected-agent')).toContainText('reversed the second charge');
});

test('the demo supervisor sees two weeks of history on the dashboard', async ({ page }) => {
  await signIn(page, 'supervisor', '/dashboard', process.env.DEMO_SUPERVISOR_PASSWORD);
  await expect(page.getByTestId('kpi-coverage')).toContainText('%');
  await expect(page.getByTestId('per-day').locator('tbody tr')).toHaveCount(7);
  await expect(page.getByTestId('chart-outcomes').locator('rect').first()).toBeAttached();
});

test('the health list pages through every point and the conflict report shows one page of pairs', async ({ page }) => {
  await signIn(page, 'trainer', '/health', process.env.DEMO_TRAINER_PASSWORD);
  // 124 demo points: three pages of 50, the next page reachable from the first.
  const pager = page.getByTestId('health-pager');
  await expect(pager).toContainText('1 / 3');
  await expect(pager).not.toContainText('page.set');
  await page.getByTestId('health-next').click();
  await expect(pager).toContainText('2 / 3');
  await expect(page.getByTestId('health-row')).toHaveCount(50);
  // Conflicts: at most 10 pairs a page, one line each; only the strongest is open.
  const pairs = page.getByTestId('conflict');
  await expect(pairs.first()).toBeVisible();
  expect(await pairs.count()).toBeLessThanOrEqual(10);
  expect(await page.locator('details.conflict[open]').count()).toBe(1);
  await expect(pairs.nth(1).getByTestId('merge-into-first')).toBeHidden();
});

test('a supervisor looking at the inbox claims nothing', async ({ page }) => {
  await signIn(page, 'supervisor', '/', process.env.DEMO_SUPERVISOR_PASSWORD);
  const claims = async () => (await (await page.request.get('/api/v1/clusters?limit=5')).json()).clusters.map((g) => [g.id, g.claimed_by]);
  const before = await claims();
  await openHydrated(page, '/inbox');
  await expect(page.getByTestId('group-detail')).toBeVisible();
  await page.waitForTimeout(1000);
  expect(await claims()).toEqual(before);
  await expect(page.getByTestId('claim')).toHaveCount(0);
});
