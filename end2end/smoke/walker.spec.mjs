// The page walker: every page, as every role that may open it, in Chinese and in English, on the
// demo after a bit of traffic, read the way a person reads it. It fails on what the feature tests
// never look at: template code or a message key on the page, English in the Chinese UI or Chinese
// in the English UI (outside customers' and trainers' own data), a page wider than the screen, a
// console error, a link that leads nowhere, a time without its zone, and accessibility
// violations (axe-core, serious or critical). scripts/smoke.sh demo runs it with the demo's
// generated passwords and bot token.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { openHydrated, signIn } from '../tests/helpers.mjs';

// A Chinese call centre's browser: its time zone is not the server's.
test.use({ timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 } });

const PASSWORDS = {
  trainer: process.env.DEMO_TRAINER_PASSWORD,
  reviewer: process.env.DEMO_REVIEWER_PASSWORD,
  supervisor: process.env.DEMO_SUPERVISOR_PASSWORD,
  admin: process.env.DEMO_ADMIN_PASSWORD,
};
const RANK = { trainer: 1, reviewer: 2, supervisor: 3, admin: 4 };

// Each page and the least role that opens it; `{point}` is a published point's id.
const PAGES = [
  ['/', 'trainer'],
  ['/inbox', 'trainer'],
  ['/decisions', 'trainer'],
  ['/knowledge', 'trainer'],
  ['/knowledge/new', 'trainer'],
  ['/knowledge/{point}', 'trainer'],
  ['/health', 'trainer'],
  ['/health?point={point}', 'trainer'],
  ['/synonyms', 'trainer'],
  ['/testsets', 'trainer'],
  ['/search', 'trainer'],
  ['/review', 'reviewer'],
  ['/dashboard', 'supervisor'],
  ['/dashboard?days=30&channel=online', 'supervisor'],
  ['/dashboard/asks?days=7&outcome=miss', 'supervisor'],
  ['/dashboard/model', 'supervisor'],
  ['/admin', 'admin'],
  ['/no-such-page', 'trainer'],
];

// Latin words the Chinese UI may show: the product's and its parts' names, units, formats.
const LATIN_ALLOWED = new Set([
  'botcoach', 'UTC', 'SQLite', 'PostgreSQL', 'CSV', 'Markdown', 'JSON', 'API', 'e5-small', 'MiniLM',
  'Ctrl', 'Enter', 'Esc', 'ms', 'GB', 'MB', 'ID', 'URL', 'Excel',
  // "IP地址" is how Chinese consoles and PIPL guidance name an IP address.
  'IP',
]);

const CODE_LIKE = [/=>/, /\.set\(/, /move \|/, /\{[^{}]*\}/, /\bfn\b.*\(/, /::/];
const MESSAGE_KEY = /^[a-z_]+(\.[a-z_]+)+$/;
// A word of Latin script: two letters or more ("5G" and the keys j, k, x are not words).
const LATIN_WORD = /[A-Za-z0-9][A-Za-z0-9-]*/g;
const isWord = (w) => (w.match(/[A-Za-z]/g) || []).length >= 2;
const CJK = /[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]/;
const TIME = /\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b/;
// An emoji shows as an empty box where the machine has no emoji font.
const EMOJI = /\p{Extended_Pictographic}/u;

// Every data string the pages may show as it was written (knowledge, inbox questions, accounts).
async function dataStrings(request) {
  // Account names: the demo's users, the importer's, the bot's.
  const strings = new Set(['trainer', 'reviewer', 'supervisor', 'admin', 'demo', 'demo-bot']);
  const feed = await (await request.get('/api/v1/knowledge?since=0')).json();
  for (const p of feed.items) {
    for (const s of [p.question, p.answer, ...p.phrasings, ...p.category.split('/'), p.category]) strings.add(s.trim());
  }
  const inbox = await (await request.get('/api/v1/clusters?limit=200&members=all')).json();
  for (const g of inbox.clusters) {
    for (const s of [g.label, ...g.key_terms, ...g.members.map((m) => m.question), ...g.channels]) strings.add(s.trim());
  }
  const asks = await (await request.get('/api/v1/metrics/asks?days=90&limit=500')).json();
  for (const a of asks) strings.add(a.question.trim());
  return strings;
}

// What a person reads on the page: each visible text node with its nearest element's path, except
// inside elements that hold people's own words (translate="no") and scripts.
async function textNodes(page) {
  return page.evaluate(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      const el = n.parentElement;
      // Skipped: people's own words (translate="no"), literal syntax (<code>, <kbd>), and text
      // marked as another language (the language switch names the other language in itself).
      if (!text || !el || el.closest('script, style, template, code, kbd, [translate="no"]')) continue;
      const marked = el.closest('[lang]');
      if (marked && marked !== document.documentElement) continue;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      out.push({ text, tag: el.tagName.toLowerCase(), inTime: !!el.closest('time'), timeText: el.closest('time')?.textContent ?? '' });
    }
    // Attributes a person reads too: titles (tooltips), labels, placeholders.
    for (const el of document.querySelectorAll('[title], [aria-label], [placeholder]')) {
      if (el.closest('[translate="no"]')) continue;
      for (const a of ['title', 'aria-label', 'placeholder']) {
        const v = el.getAttribute(a);
        if (v && v.trim()) out.push({ text: v.trim(), tag: `${el.tagName.toLowerCase()}[${a}]`, attribute: true });
      }
    }
    return out;
  });
}

function problemsIn(nodes, lang, data) {
  const problems = [];
  for (const { text, tag, inTime, timeText, attribute } of nodes) {
    if (data.has(text)) continue;
    // Data joined into one line ("a · b") or shortened ("…"): each part is data.
    const parts = text.split(/\s*(?:·|、|，|, |：|: |“|”|…|⇄|→|\(|\)|（|）)\s*/).map((p) => p.trim()).filter(Boolean);
    // A part is data when it is a data string, or a long enough piece of one (a question cut
    // short, a Chinese sentence split at its comma).
    const isData = (p) => data.has(p) || /^[\d.%\s]+$/.test(p) || (p.length >= 8 && [...data].some((d) => d.includes(p)));
    for (const re of CODE_LIKE) {
      if (re.test(text) && !parts.every(isData)) problems.push(`code-like text in <${tag}>: ${JSON.stringify(text)}`);
    }
    if (MESSAGE_KEY.test(text) && !data.has(text)) problems.push(`message key in <${tag}>: ${text}`);
    if (lang === 'zh') {
      for (const part of parts) {
        if (isData(part)) continue;
        const words = (part.match(LATIN_WORD) || []).filter((w) => isWord(w) && !LATIN_ALLOWED.has(w));
        if (words.length) problems.push(`English in the Chinese UI, <${tag}>: ${JSON.stringify(text)} (${words.join(' ')})`);
      }
    } else {
      for (const part of parts) {
        if (!isData(part) && CJK.test(part)) problems.push(`Chinese in the English UI, <${tag}>: ${JSON.stringify(text)}`);
      }
    }
    if (EMOJI.test(text) && !parts.every(isData)) problems.push(`an emoji in <${tag}>: ${JSON.stringify(text)}`);
    if (!attribute && TIME.test(text) && !/UTC/.test(inTime ? timeText : text)) {
      problems.push(`a time without its zone, <${tag}>: ${JSON.stringify(text)}`);
    }
  }
  return problems;
}

let data;
let point;

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  const bot = { Authorization: `Bearer ${process.env.DEMO_BOT_TOKEN}` };
  // A bit of traffic: answered, clarified and missed asks in both languages, and a 👎.
  for (const [question, channel] of [
    ['How do I activate my card?', 'bot'], ['家里宽带断网了怎么办', 'online'], ['5G套餐多少钱', 'hotline'],
    ['can I buy dogecoin here', 'bot'], ['我的话费怎么扣了两次', 'online'], ['what is the meaning of life', 'bot'],
  ]) {
    const r = await page.request.post('/api/v1/ask', { headers: bot, data: { question, channel } });
    expect(r.status()).toBe(200);
    const body = await r.json();
    if (body.outcome === 'answered') {
      await page.request.post('/api/v1/feedback', { headers: bot, data: { ask_id: body.ask_id, helpful: false } });
    }
  }
  await signIn(page, 'admin', '/', PASSWORDS.admin);
  data = await dataStrings(page.request);
  const feed = await (await page.request.get('/api/v1/knowledge?since=0')).json();
  point = feed.items.find((i) => !i.deleted).id;
  await page.close();
});

for (const lang of ['zh', 'en']) {
  for (const role of Object.keys(RANK)) {
    test(`every page a ${role} opens reads right (${lang})`, async ({ page }) => {
      test.setTimeout(180_000);
      const problems = [];
      let path = '';
      page.on('console', (m) => {
        // The unknown page answers 404 on purpose; the browser logs that as an error.
        if (m.type() === 'error' && !(path === '/no-such-page' && m.text().includes('404'))) problems.push(`console error: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await signIn(page, role, '/', PASSWORDS[role]);
      await page.context().addCookies([{ name: 'lang', value: lang, url: page.url() }]);
      const checkedLinks = new Set();
      for (const [template, least] of PAGES) {
        if (RANK[role] < RANK[least]) continue;
        path = template.replace('{point}', point);
        const before = problems.length;
        const response = await openHydrated(page, path);
        expect(response.status(), path).toBe(path === '/no-such-page' ? 404 : 200);
        await expect(page.locator('html')).toHaveAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');
        // The signed-in user's name and menu on every page, the unknown one too.
        await expect(page.getByTestId('user')).toContainText(role);
        // Data loads after hydration: wait until nothing says "loading".
        await expect(page.getByText(lang === 'zh' ? '加载中' : 'Loading', { exact: false })).toHaveCount(0);
        for (const p of problemsIn(await textNodes(page), lang, data)) problems.push(p);
        // One section is current in the menu (the model page is not the dashboard too).
        const current = await page.getByTestId('nav').locator('[aria-current="page"]').count();
        if (current > 1) problems.push(`${current} menu entries are highlighted`);
        // A toolbar's filters sit in one row.
        const rows = await page.locator('.toolbar').evaluateAll((bars) => bars.map((bar) => {
          const boxes = [...bar.children].map((c) => c.getBoundingClientRect()).filter((r) => r.height > 0);
          boxes.sort((a, b) => a.top - b.top);
          let count = boxes.length ? 1 : 0;
          let bottom = boxes.length ? boxes[0].bottom : 0;
          for (const r of boxes.slice(1)) {
            if (r.top >= bottom - 1) { count += 1; bottom = r.bottom; } else { bottom = Math.max(bottom, r.bottom); }
          }
          return count;
        }));
        if (rows.some((n) => n > 1)) problems.push(`a toolbar wraps onto ${Math.max(...rows)} rows`);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        if (wide > 1280) problems.push(`the page is ${wide}px wide at a 1280px window`);
        for (const href of await page.locator('a[href^="/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
          if (checkedLinks.has(href)) continue;
          checkedLinks.add(href);
          const r = await page.request.get(href);
          if (r.status() >= 400) problems.push(`link ${href} answers ${r.status()}`);
        }
        const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
        for (const v of axe.violations.filter((v) => ['serious', 'critical'].includes(v.impact))) {
          problems.push(`accessibility (${v.impact}) ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
        }
        for (let i = before; i < problems.length; i++) problems[i] = `${path}: ${problems[i]}`;
      }
      expect(problems, problems.join('\n')).toEqual([]);
    });
  }
}
