// Screenshots of the main pages in Chinese and in English, as the role that works on each, for a
// person to look at (scripts/screenshots.sh; not part of the test command). SHOTS_DIR says where.
import { test } from '@playwright/test';
import { openHydrated, signIn } from '../tests/helpers.mjs';

test.use({ timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 } });

const PAGES = [
  ['home-trainer', 'trainer', '/'],
  ['home-reviewer', 'reviewer', '/'],
  ['home-supervisor', 'supervisor', '/'],
  ['admin', 'admin', '/admin'],
  ['inbox', 'trainer', '/inbox'],
  ['health', 'trainer', '/health'],
  ['dashboard', 'supervisor', '/dashboard'],
  ['model', 'supervisor', '/dashboard/model'],
  ['review', 'reviewer', '/review'],
  ['knowledge', 'trainer', '/knowledge'],
];

for (const lang of ['zh', 'en']) {
  for (const [name, role, path] of PAGES) {
    test(`${name} (${lang})`, async ({ page }) => {
      await signIn(page, role, '/', process.env[`DEMO_${role.toUpperCase()}_PASSWORD`]);
      await page.context().addCookies([{ name: 'lang', value: lang, url: page.url() }]);
      await openHydrated(page, path);
      await page.waitForTimeout(800);
      await page.screenshot({ path: `${process.env.SHOTS_DIR}/${name}-${lang}.png`, fullPage: true });
      if (name === 'inbox' && lang === 'zh') {
        // The README's picture: what a trainer sees first, one window high.
        await page.screenshot({ path: `${process.env.SHOTS_DIR}/readme-inbox-zh.png` });
      }
    });
  }
}

// The trainer's day in motion: marked groups with the bulk bar, the new-point panel, a decision
// in "My decisions", and Try it in the editor.
for (const lang of ['zh', 'en']) {
  test(`trainer's day (${lang})`, async ({ page }) => {
    await signIn(page, 'trainer', '/', process.env.DEMO_TRAINER_PASSWORD);
    await page.context().addCookies([{ name: 'lang', value: lang, url: page.url() }]);
    await openHydrated(page, '/inbox');
    const groups = page.getByTestId('group');
    await groups.nth(1).getByTestId('group-mark').click();
    await groups.nth(2).getByTestId('group-mark').click();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('n');
    await page.waitForTimeout(800);
    await page.screenshot({ path: `${process.env.SHOTS_DIR}/inbox-bulk-create-${lang}.png`, fullPage: true });
    await page.keyboard.press('Escape');
    await page.getByTestId('bulk-dismiss').click();
    await page.getByTestId('inbox-message').waitFor();
    await openHydrated(page, '/decisions');
    await page.waitForTimeout(800);
    await page.screenshot({ path: `${process.env.SHOTS_DIR}/decisions-${lang}.png`, fullPage: true });
    await openHydrated(page, '/knowledge');
    await page.getByTestId('point-row').first().locator('a').first().click();
    await page.getByTestId('try-questions').waitFor();
    await page.getByTestId('try-questions').fill(lang === 'zh' ? '怎么修改密码' : 'how do I change my password');
    await page.getByTestId('try-run').click();
    await page.getByTestId('try-results').waitFor();
    await page.screenshot({ path: `${process.env.SHOTS_DIR}/editor-try-${lang}.png`, fullPage: true });
  });
}

// The editor's personal-data warning, on a new point whose answer holds a customer's number.
for (const lang of ['zh', 'en']) {
  test(`editor personal data (${lang})`, async ({ page }) => {
    await signIn(page, 'trainer', '/', process.env.DEMO_TRAINER_PASSWORD);
    await page.context().addCookies([{ name: 'lang', value: lang, url: page.url() }]);
    await openHydrated(page, '/knowledge/new');
    await page.getByTestId('editor-question').fill(lang === 'zh' ? `快递单号查不到怎么办 ${Date.now()}` : `My parcel number is not found ${Date.now()}`);
    await page.getByTestId('editor-answer').fill(lang === 'zh'
      ? '请拨打 400 800 1234，或联系 13812345678 的张先生。'
      : 'Call 400 800 1234, or Mr Zhang on 13812345678.');
    await page.getByTestId('save-draft').click();
    const anyway = page.getByTestId('save-anyway');
    if (await anyway.isVisible().catch(() => false)) await anyway.click();
    await page.getByTestId('personal-data-warning').waitFor();
    await page.screenshot({ path: `${process.env.SHOTS_DIR}/editor-personal-${lang}.png`, fullPage: true });
  });
}
