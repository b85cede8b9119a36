// Screenshots of the main pages in Chinese and in English, as the role that works on each, for a
// person to look at (scripts/screenshots.sh; not part of the test command). SHOTS_DIR says where.
import { test } from '@playwright/test';
import { openHydrated, signIn } from '../tests/helpers.mjs';

test.use({ timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 } });

const PAGES = [
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
    });
  }
}
