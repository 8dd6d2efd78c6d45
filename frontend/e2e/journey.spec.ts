// The creator's loop end to end in a real browser, against the whole local system: sign in →
// their time zone → a brand → generate posts and watch the progress → edit one (an over-long text
// cannot be saved) → link Telegram through the emulator's inbox → schedule the post a minute
// ahead → it arrives in the Telegram emulator's chat.
import { expect, signIn, test, TELEGRAM_URL, wallClock } from './fixtures';

const ZONE = 'Asia/Kolkata';

test('a creator writes, edits, links Telegram, schedules, and the post arrives', async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page);

  // Their time zone: every time from here on is shown in it, named.
  await page.goto('/settings');
  const zone = page.getByRole('combobox', { name: 'Time zone' });
  await zone.fill(ZONE);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('link', { name: `Time zone: ${ZONE}` })).toBeVisible();

  await page.goto('/brands');
  await page.getByLabel('Brand name').fill('Leipzig Bakery');
  await page.getByLabel('Voice').fill('Warm, plain words, a little dry humour.');
  await page.getByRole('button', { name: 'Create brand' }).click();
  await expect(page.getByRole('button', { name: 'Edit Leipzig Bakery' })).toBeVisible();

  await page.goto('/create');
  await page
    .getByLabel('Transcript or notes')
    .fill(
      'Today we opened our second bakery in Leipzig. The sourdough sold out by ten; tomorrow we bake twice as much.',
    );
  await page.getByLabel('Platform').selectOption({ label: 'X' });
  await page.getByLabel('Style').selectOption({ label: 'Casual' });
  await page.getByLabel('Brand').selectOption({ label: 'Leipzig Bakery' });
  await page.getByLabel('Number of posts').fill('2');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('progressbar')).toBeVisible();
  const drafts = page.getByRole('link', { name: /^Open draft \d in the editor$/ });
  await expect(drafts).toHaveCount(2, { timeout: 30_000 });
  await expect(page.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');

  await drafts.first().click();
  await expect(page).toHaveURL(/\/posts\/[0-9a-f-]{36}$/);
  const content = page.getByLabel('Content');
  await expect(content).not.toHaveValue('');
  await content.fill('a'.repeat(281));
  await expect(page.getByText('281 / 280')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save' })).toBeDisabled();
  await expect(page.getByText('the marked part will not fit')).toBeVisible();
  const text = `Second bakery, same sourdough. Leipzig, come early ${Date.now().toString(36)}`;
  await content.fill(text);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('All changes saved')).toBeVisible();
  const postUrl = page.url();

  // Link Telegram: the deep link and its QR code, and locally the emulator's inbox plays the tap.
  await page.goto('/telegram');
  await expect(page.getByRole('status').filter({ hasText: 'Not linked' })).toBeVisible();
  await page.getByRole('button', { name: 'Connect Telegram' }).click();
  await expect(page.getByRole('link', { name: /\?start=/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  const tap = new URL((await page.getByRole('link', { name: /emulator/ }).getAttribute('href'))!);
  const chatId = String(100_000 + Math.floor(Math.random() * 800_000));
  tap.searchParams.set('chat', chatId);
  const inbox = await page.context().newPage();
  await inbox.goto(tap.toString());
  // Back in the app, the status turns by itself.
  await expect(page.getByRole('status').filter({ hasText: 'Linked' })).toBeVisible({ timeout: 20_000 });

  // Schedule about a minute ahead, in the user's zone. The picker has whole minutes, so take the
  // first whole minute at least 45 s away: "now + 60 s" cut to its minute can be a second away and
  // already past by the time the button is pressed on a slow machine.
  await page.goto(postUrl);
  const due = new Date(Math.ceil((Date.now() + 45_000) / 60_000) * 60_000);
  await page.getByLabel('Scheduled for').fill(wallClock(due, ZONE));
  await expect(page.getByText(`In your time zone, ${ZONE}`)).toBeVisible();
  await page.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(page.getByText('Scheduled', { exact: true })).toBeVisible();
  await expect(page.getByText(`· ${ZONE}`).first()).toBeVisible();

  // It arrives in the emulator's chat. The inbox reloads itself when a chat changes, so the test
  // opens the chat once and waits (a goto of its own would race the page's reload); a count taken
  // while the page reloads is 0.
  await inbox.goto(`${TELEGRAM_URL}/chats/${chatId}`);
  await expect
    .poll(
      () =>
        inbox
          .getByText(text)
          .count()
          .catch(() => 0),
      { timeout: 150_000, intervals: [2_000] },
    )
    .toBeGreaterThan(0);
  await page.reload();
  await expect(page.getByText('Delivered', { exact: true })).toBeVisible({ timeout: 20_000 });
});
