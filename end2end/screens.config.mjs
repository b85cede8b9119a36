// Screenshots for people to look at (scripts/screenshots.sh): the browser settings of the tests.
import base from './playwright.config.mjs';

export default { ...base, testDir: './screens', timeout: 60_000 };
