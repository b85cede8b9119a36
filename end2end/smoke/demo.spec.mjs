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
});

test('the demo supervisor sees two weeks of history on the dashboard', async ({ page }) => {
  await signIn(page, 'supervisor', '/dashboard', process.env.DEMO_SUPERVISOR_PASSWORD);
  await expect(page.getByTestId('kpi-coverage')).toContainText('%');
  await expect(page.getByTestId('per-day').locator('tbody tr')).toHaveCount(7);
  await expect(page.getByTestId('chart-outcomes').locator('rect').first()).toBeAttached();
});
