import { test, expect } from '@playwright/test';
import { openHydrated, signIn } from './helpers.mjs';

test('an admin trains the model in the browser and reads the guard verdict, in English and Chinese', async ({ browser }) => {
  test.setTimeout(180_000);
  // A supervisor sees the model and its versions, but no training.
  const supervisor = await (await browser.newContext()).newPage();
  await signIn(supervisor, 'supervisor', '/dashboard/model');
  await openHydrated(supervisor, '/dashboard/model');
  await expect(supervisor.getByTestId('model-serving')).toContainText('Version 0');
  await expect(supervisor.getByTestId('train-now')).toHaveCount(0);

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin', '/dashboard/model');
  await openHydrated(admin, '/dashboard/model');
  await admin.getByTestId('model-epochs').fill('3');
  await admin.getByTestId('train-now').click();
  // The progress bar follows the run to its end: promoted, or refused with the reason.
  await expect(admin.getByTestId('run-phase')).toHaveText('Finished', { timeout: 150_000 });
  const verdict = admin.getByTestId('run-promoted').or(admin.getByTestId('run-refused'));
  await expect(verdict).toBeVisible();
  await expect(admin.getByTestId('model-versions').locator('[data-testid="version-1"]')).toBeVisible();
  const promoted = await admin.getByTestId('run-promoted').count() === 1;

  await admin.context().addCookies([{ name: 'lang', value: 'zh', url: admin.url() }]);
  await openHydrated(admin, '/dashboard/model');
  await expect(admin.getByTestId('run-phase')).toHaveText('已完成');
  if (promoted) {
    await expect(admin.getByTestId('model-serving')).toContainText('版本 1');
    await expect(admin.getByTestId('version-1')).toContainText('服务中');
    // Roll back, so the other tests keep the base model's answers.
    await admin.getByTestId('use-version-0').click();
    await expect(admin.getByTestId('model-serving')).toContainText('版本 0');
    await expect(admin.getByTestId('version-1')).toContainText('已保留');
  } else {
    await expect(admin.getByTestId('version-1')).toContainText('已拒绝');
    await expect(admin.getByTestId('model-serving')).toContainText('版本 0');
  }
});
