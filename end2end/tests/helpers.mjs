import { expect } from '@playwright/test';

export const PASSWORD = 'e2e-password';

// Waits for the marker an Effect sets: Effects run only once the wasm has hydrated the page.
export async function openHydrated(page, path = '/') {
  const response = await page.goto(path);
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  return response;
}

// Signs in through the form, as a person would, and waits for the page it leads to.
export async function signIn(page, name, next = '/', password = PASSWORD) {
  await openHydrated(page, `/login?next=${encodeURIComponent(next)}`);
  await page.locator('input[name=name]').fill(name);
  await page.locator('input[name=password]').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user')).toContainText(name);
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
}

// A name no earlier run of the same server used.
export function unique(prefix) {
  return `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

// Saves the editor's draft. A question the bot would already answer with a published point is
// named first (the near-duplicate warning); these tests mean to write theirs anyway.
export async function saveDraft(page) {
  const before = page.url();
  await page.getByTestId('save-draft').click();
  const warning = page.getByTestId('duplicate-warning');
  const done = page.getByTestId('editor-message').or(page.getByTestId('editor-error'));
  await expect.poll(async () => (await warning.isVisible()) || (await done.isVisible()) || page.url() !== before).toBe(true);
  if (await warning.isVisible()) {
    await page.getByTestId('save-anyway').click();
  }
}

// Runs the import panel's import. Rows the bot already answers with a published point are named
// first; these tests mean to import theirs anyway.
export async function runImport(page) {
  await page.getByTestId('import-run').click();
  const warning = page.getByTestId('import-duplicates');
  const done = page.getByTestId('import-report').or(page.getByTestId('import-error'));
  await expect(warning.or(done)).toBeVisible();
  if (await warning.isVisible()) {
    await page.getByTestId('import-anyway').click();
  }
}
