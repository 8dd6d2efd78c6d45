// Screenshots of every page, desktop and phone, for docs/screenshots/ (`npm run screenshots`; not
// part of `npm test`). The data is made through the public API as any client would.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { API_URL, createPost, expect, signIn, test, tokenFor } from './fixtures';
import { SIGNED_OUT_PAGES, signedInPages } from './pages';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const VIEWPORTS = [
  { device: 'desktop', viewport: { width: 1280, height: 860 } },
  { device: 'phone', viewport: { width: 360, height: 780 } },
] as const;

async function shoot(page: Page, name: string) {
  await expect(page.getByRole('status').filter({ hasText: /Loading|Checking/ })).toHaveCount(0);
  await page.screenshot({ path: `${OUT}${name}.png`, fullPage: false, animations: 'disabled' });
}

// The account's zone and the browser's agree, as for most people (the offer to switch is not shown).
test.use({ timezoneId: 'Europe/Berlin' });

for (const { device, viewport } of VIEWPORTS) {
  for (const scheme of ['light', 'dark'] as const) {
    test(`screenshots: ${device}, ${scheme}`, async ({ page, request }) => {
      test.setTimeout(180_000);
      mkdirSync(OUT, { recursive: true });
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      for (const { path, name } of SIGNED_OUT_PAGES) {
        await page.goto(path);
        await shoot(page, `${name}-${device}-${scheme}`);
      }
      const email = await signIn(page, `screens-${device}-${scheme}@example.com`, 'Ada');
      const token = await tokenFor(request, email);
      const headers = { Authorization: `Bearer ${token}` };
      await request.patch(`${API_URL}/api/v1/me`, { data: { timezone: 'Europe/Berlin' }, headers });
      const post = await createPost(request, token, {
        platform: 'LINKEDIN',
        content:
          'We opened our second bakery in Leipzig today.\n\nThe sourdough sold out by ten, so tomorrow we bake twice as much. Come early, and say hello to the new oven.',
      });
      await createPost(request, token, {
        platform: 'TWITTER',
        content: 'Second bakery, same sourdough. Leipzig, come early.',
      });
      for (const { path, name } of signedInPages(post.id)) {
        await page.goto(path);
        await shoot(page, `${name}-${device}-${scheme}`);
      }
    });
  }
}
