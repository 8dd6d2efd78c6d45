// Upgrading through the Stripe emulator's Checkout page: the plan and its limits change in the app.
import { expect, signIn, test } from './fixtures';

test('a FREE user upgrades to PRO through Checkout and sees PRO limits', async ({ page }) => {
  await signIn(page);
  await page.goto('/billing');
  await expect(page.getByText('Your plan')).toBeVisible();
  await page.getByRole('button', { name: 'Upgrade to PRO' }).click();
  // Stripe's Checkout page (the emulator's), then back to the app's return page.
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await expect(page).toHaveURL(/\/billing\/success/);
  await expect(page.getByText('You are on PRO now')).toBeVisible({ timeout: 20_000 });
  await page.getByRole('link', { name: 'See your plan' }).click();
  await expect(page.getByRole('meter', { name: 'Posts' })).toHaveAttribute('aria-valuemax', '1000');
  await expect(page.getByRole('link', { name: /^Plan PRO/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Manage subscription' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Upgrade to PRO' })).toHaveCount(0);
});
