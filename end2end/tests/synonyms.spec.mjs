import { test, expect } from '@playwright/test';
import { openHydrated, signIn } from './helpers.mjs';

// A trainer takes a suggested synonym (two texts of one point that differ by one word), adds one
// by hand, is refused a term another entry holds, in the UI's language; a reviewer publishes.
// In Chinese, then English.
for (const lang of ['zh', 'en']) {
  test(`a suggested synonym is accepted, one is added by hand, a reviewer publishes (${lang})`, async ({ page, request }) => {
    const zh = lang === 'zh';
    const n = `${Date.now() % 1000000}${Math.floor(Math.random() * 100)}`;
    const [variant, canonical] = [`tc${n}`, `card${n}`];
    const lead = { authorization: `Bearer ${process.env.REVIEWER_TOKEN}` };
    const point = zh
      ? { category: `充值${n}`, question: `请问怎么给我的${canonical}在手机上充值话费呢`, answer: '在 App 里充值。', phrasings: [`请问怎么给我的${variant}在手机上充值话费呢`] }
      : { category: `Top-up ${n}`, question: `How do I top up my ${canonical}?`, answer: 'Top it up in the app.', phrasings: [`How do I top up my ${variant}?`] };
    expect((await request.post('/api/v1/knowledge/import?publish=true', { headers: lead, data: [point] })).status()).toBe(200);

    await signIn(page, 'trainer', '/synonyms');
    await page.context().addCookies([{ name: 'lang', value: lang, url: page.url() }]);
    await openHydrated(page, '/synonyms');
    await expect(page.locator('h1')).toHaveText(zh ? '同义词' : 'Synonyms');

    // The suggestion names its evidence and is taken in one click.
    await page.getByTestId('suggestion-search').fill(variant);
    await page.getByTestId('suggestion-search').press('Enter');
    const suggestion = page.locator(`[data-testid=synonym-suggestion][data-term="${variant}"]`);
    await expect(suggestion).toContainText(canonical);
    await expect(suggestion).toContainText(zh ? '同一知识点的两种说法' : "in one point's texts");
    await suggestion.getByTestId('suggestion-use').click();
    const taken = page.locator(`[data-testid=synonym-row][data-canonical="${canonical}"]`);
    await expect(taken.getByTestId('synonym-pending')).toHaveText(zh ? '新增，待审核' : 'New, waiting for review');
    // A term waiting for review is not suggested again.
    await expect(suggestion).toHaveCount(0);

    // One by hand, Chinese terms included.
    const broadband = zh ? `宽带${n}` : `broadband${n}`;
    await page.getByTestId('synonym-canonical').fill(broadband);
    await page.getByTestId('synonym-variants').fill(zh ? `网${n}、家里的网${n}` : `net${n}, home internet${n}`);
    await page.getByTestId('synonym-propose').click();
    const byHand = page.locator(`[data-testid=synonym-row][data-canonical="${broadband}"]`);
    await expect(byHand).toContainText(zh ? `网${n}、家里的网${n}` : `net${n}, home internet${n}`);

    // A term of another entry is refused, in the user's language, and nothing is added.
    await page.getByTestId('synonym-canonical').fill(`other${n}`);
    await page.getByTestId('synonym-variants').fill(variant);
    await page.getByTestId('synonym-propose').click();
    await expect(page.getByTestId('synonym-error')).toContainText(zh ? `“${variant}”已经属于同义词条目“${canonical}”` : `"${variant}" is already a term of the synonym entry "${canonical}"`);
    await expect(page.locator(`[data-testid=synonym-row][data-canonical="other${n}"]`)).toHaveCount(0);
    if (process.env.SHOTS_DIR) await page.screenshot({ path: `${process.env.SHOTS_DIR}/synonyms-trainer-${lang}.png`, fullPage: true });

    // A trainer has no publish button; a reviewer publishes every pending change.
    await expect(page.getByTestId('synonyms-publish')).toHaveCount(0);
    await page.context().clearCookies();
    await signIn(page, 'reviewer', '/synonyms');
    await page.context().addCookies([{ name: 'lang', value: lang, url: page.url() }]);
    await openHydrated(page, '/synonyms');
    await page.getByTestId('synonyms-publish').click();
    await expect(page.getByTestId('synonyms-published')).toContainText(zh ? '已发布' : 'Published');
    await expect(taken).toContainText(zh ? '已发布' : 'Published');
    await expect(taken.getByTestId('synonym-pending')).toHaveCount(0);
    if (process.env.SHOTS_DIR) await page.screenshot({ path: `${process.env.SHOTS_DIR}/synonyms-reviewer-${lang}.png`, fullPage: true });

    // The export holds what was published.
    const exported = await (await request.get('/api/v1/synonyms/export', { headers: lead })).text();
    expect(exported).toContain(`${canonical},${variant}`);
  });
}
