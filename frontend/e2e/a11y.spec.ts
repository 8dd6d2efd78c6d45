// axe on every page, in the light and the dark theme: no serious or critical violation.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { API_URL, createPost, expect, signIn, test, tokenFor } from './fixtures';
import { SIGNED_OUT_PAGES, signedInPages } from './pages';

async function seriousViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
}

/** Waits until the page has its data (no loading placeholder left). */
async function settled(page: Page) {
  await expect(page.locator('main')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: /Loading|Checking/ })).toHaveCount(0);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`every page passes axe in the ${scheme} theme`, async ({ page, request }) => {
    test.setTimeout(180_000);
    await page.emulateMedia({ colorScheme: scheme });
    const failures: string[] = [];
    for (const { path, name } of SIGNED_OUT_PAGES) {
      await page.goto(path);
      await settled(page);
      for (const v of await seriousViolations(page)) failures.push(`${name}: ${v}`);
    }
    const email = await signIn(page);
    const token = await tokenFor(request, email);
    const post = await createPost(request, token, {
      platform: 'LINKEDIN',
      content: 'A post for the accessibility check, with enough words to wrap across a line or two.',
    });
    expect(API_URL).toBeTruthy();
    for (const { path, name } of signedInPages(post.id)) {
      await page.goto(path);
      await settled(page);
      for (const v of await seriousViolations(page)) failures.push(`${name}: ${v}`);
    }
    expect(failures).toEqual([]);
  });
}
