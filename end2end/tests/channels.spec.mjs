import { test, expect } from '@playwright/test';
import { openHydrated, saveDraft, signIn, unique } from './helpers.mjs';

test.use({ timezoneId: 'Asia/Shanghai' });

// Answers per channel, validity dates and Markdown in the editor, in Chinese then English.
for (const lang of ['zh', 'en']) {
  test(`channel answers, a scheduled point and a script shown as text (${lang})`, async ({ page }) => {
    const zh = lang === 'zh';
    await signIn(page, 'reviewer', '/knowledge');
    await page.context().addCookies([{ name: 'lang', value: lang, url: page.url() }]);
    await openHydrated(page, '/knowledge');
    const category = unique(zh ? '促销活动' : 'Promotions');
    await page.getByTestId('category-name').fill(category);
    await page.getByTestId('category-save').click();
    await page.getByTestId('category-tree').locator(`a[data-path="${category}"]`).click();
    await expect(page).toHaveURL(/category=\d+/);
    await page.getByTestId('new-point').click();
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');

    const question = unique(zh ? '冬季流量包优惠还有吗' : 'Is the winter data offer still on');
    await page.getByTestId('editor-question').fill(question);
    await page.getByTestId('editor-answer').fill(
      '**有的**，办理步骤：\n\n1. 打开 [网上营业厅](https://example.com/offer)\n2. 选择流量包\n\n<script>window.__pwned = 1</script> [x](javascript:window.__pwned=2)',
    );
    // The preview renders the Markdown and shows the script as text, never running it.
    const preview = page.getByTestId('answer-preview');
    await expect(preview.locator('strong')).toHaveText('有的');
    await expect(preview.locator('ol li')).toHaveCount(2);
    await expect(preview).toContainText('<script>window.__pwned = 1</script>');
    await expect(preview.locator('script')).toHaveCount(0);
    await expect(preview.locator('a[href^="javascript"]')).toHaveCount(0);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();

    // The hotline's answer must be plain text: a link is refused, in the user's language.
    await page.getByTestId('answer-tab-hotline').click();
    await expect(page.getByTestId('editor-answer')).toHaveValue('');
    await page.getByTestId('editor-answer').fill('详见 https://example.com/offer');
    await saveDraft(page);
    await expect(page.getByTestId('editor-error')).toContainText(zh ? '热线' : 'hotline');
    await expect(page.getByTestId('editor-error')).toContainText(zh ? '链接' : 'link');
    expect(page.url()).toMatch(/\/knowledge\/new/);
    await page.getByTestId('editor-answer').fill('有的，请在网上营业厅选择冬季流量包办理。');
    await page.getByTestId('answer-tab-online').click();
    await page.getByTestId('editor-answer').fill('有的，点击 [这里](https://example.com/offer) 办理。');
    await page.getByTestId('answer-tab-default').click();
    await expect(page.getByTestId('editor-answer')).toHaveValue(/^\*\*有的\*\*/);

    // A window ending before it starts is refused; one starting tomorrow is scheduled.
    await page.getByTestId('editor-valid-from').fill('2031-01-02T09:00');
    await page.getByTestId('editor-valid-until').fill('2031-01-01T09:00');
    await saveDraft(page);
    await expect(page.getByTestId('editor-error')).toContainText(zh ? '失效时间' : 'end of validity');
    await expect(page.getByTestId('editor-error')).toContainText('2031-01-02 09:00 UTC+8');
    await page.getByTestId('editor-valid-until').fill('2031-02-01T09:00');
    await expect(page.getByTestId('validity-state')).toHaveText(zh ? '待生效' : 'Scheduled');
    await saveDraft(page);
    await expect(page).toHaveURL(/\/knowledge\/\d+$/);
    const id = page.url().split('/').pop();
    await expect(page.getByTestId('editor-valid-from')).toHaveValue('2031-01-02T09:00');
    await expect(page.getByTestId('validity-state')).toHaveText(zh ? '待生效' : 'Scheduled');
    await expect(page.getByTestId('answer-tab-hotline')).toContainText('•');
    if (process.env.SHOTS_DIR) {
      await page.getByTestId('answer-tab-online').click();
      await page.screenshot({ path: `${process.env.SHOTS_DIR}/editor-channels-${lang}.png`, fullPage: true });
    }

    // The list shows it as scheduled, and filters by it.
    await openHydrated(page, `/knowledge?validity=scheduled&q=${encodeURIComponent(question)}`);
    const row = page.getByTestId('point-row');
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId('validity-badge')).toHaveText(zh ? '待生效' : 'Scheduled');
    await openHydrated(page, `/knowledge?validity=expired&q=${encodeURIComponent(question)}`);
    await expect(page.getByTestId('point-row')).toHaveCount(0);
    if (process.env.SHOTS_DIR) {
      await openHydrated(page, `/knowledge?validity=scheduled`);
      await page.screenshot({ path: `${process.env.SHOTS_DIR}/knowledge-scheduled-${lang}.png`, fullPage: true });
    }
    if (zh) {
      const text = await page.locator('main').innerText();
      expect(text).not.toMatch(/Scheduled|Validity|Default|hotline/);
    }
    expect(id).toMatch(/^\d+$/);
  });
}
