// The smoke test of the product as scripts/run.sh starts it (release build, demo data): the same
// browser settings as the full suite, its own folder of tests (scripts/smoke.sh runs it).
import base from './playwright.config.mjs';

export default { ...base, testDir: './smoke' };
