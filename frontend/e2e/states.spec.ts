// Error and session states: an API error shows its message and request id; an ended session
// returns to sign-in and back to where the person was.
import { API_URL, createPost, expect, signIn, test, tokenFor, uniqueEmail } from './fixtures';

test('an error from the API shows its message and request id', async ({ page }) => {
  await signIn(page);
  // A hand-edited address: the API refuses the filter (400) and the page says so.
  await page.goto('/posts?status=SOMETIMES');
  const alert = page.getByRole('alert').filter({ hasText: 'The posts could not be loaded' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('status');
  await expect(alert).toContainText(/Request id [\w-]{8,}/);
  await expect(page.getByRole('button', { name: 'Copy request id' })).toBeVisible();
});

test('a session the API refuses returns to sign-in, then back to the page', async ({ page }) => {
  const email = await signIn(page);
  // The session cookie (`<expiry ms>~<token>`) with a token the API will refuse.
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'postaify.session')!;
  const expiry = session.value.split('~')[0]!;
  await page.context().addCookies([{ ...session, value: `${expiry}~not-a-token` }]);
  await page.goto('/posts');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fposts/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Name').fill('Ada Lovelace');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/posts$/);
  await expect(page.getByRole('heading', { name: 'Posts' })).toBeVisible();
});

test('signed out, / shows what Postaify does and the plans', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Telegram');
  await expect(page.getByRole('heading', { name: 'PRO' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
});

test('signed out, / arrives rendered from the server, plans included; a signed-in browser gets the dashboard', async ({
  page,
  request,
}) => {
  // The HTML itself, before any script runs: the landing's heading and the plans read by the server.
  const html = await (await request.get('/')).text();
  expect(html).toContain('Turn what you said into posts');
  expect(html).toMatch(/>PRO</);

  await signIn(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Hello, Ada Lovelace');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Telegram');
});

test('signed in, a page arrives from the server with its data and hydrates as it is', async ({ page, request }) => {
  const email = await signIn(page);
  const token = await tokenFor(request, email);
  const content = `Rendered on the server ${Date.now()}: the sourdough sold out by ten.`;
  const post = await createPost(request, token, { platform: 'LINKEDIN', content });
  // The HTML itself, asked with this browser's session cookie, before any script runs: the post
  // list, the editor and the top bar's plan are in it (the server asked the API for them).
  for (const path of ['/posts', `/posts/${post.id}`]) {
    const html = await (await page.context().request.get(path)).text();
    expect(html, path).toContain(content);
    expect(html, path).toMatch(/>FREE</);
  }
  // Its buttons wait for the page's script: a click React cannot replay is not offered before it.
  const editorHtml = await (await page.context().request.get(`/posts/${post.id}`)).text();
  expect(editorHtml).toMatch(/<button[^>]*disabled=""[^>]*>Schedule<\/button>/);
  // In the browser: the list is there without asking the API again, and React takes over the
  // server's HTML without a hydration error (which would render the page a second time).
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const apiCalls: string[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith(`${API_URL}/api/v1/posts`)) apiCalls.push(r.url());
  });
  await page.goto('/posts');
  await expect(page.getByRole('link', { name: content })).toBeVisible();
  await page.goto(`/posts/${post.id}`);
  await expect(page.getByLabel('Content')).toHaveValue(content);
  await expect(page.getByRole('button', { name: 'Schedule', exact: true })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  expect(errors.filter((e) => /hydrat|#41[89]|#42[35]/i.test(e))).toEqual([]);
  expect(apiCalls).toEqual([]);
});

test('an account whose chat was moved to another account from the bot is told so', async ({ page, request }) => {
  // A links a chat in the browser; B's link is then opened in that same chat and the person
  // confirms the move in the emulator's inbox, as they would in Telegram.
  const email = await signIn(page);
  const chatId = String(100_000 + Math.floor(Math.random() * 800_000));
  const linkIn = async (token: string) => {
    const response = await request.post(`${API_URL}/api/v1/telegram/link`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const tap = new URL(((await response.json()) as { localTapUrl: string }).localTapUrl);
    tap.searchParams.set('chat', chatId);
    return tap.toString();
  };
  const inbox = await page.context().newPage();
  await inbox.goto(await linkIn(await tokenFor(request, email)));
  await expect(inbox.getByText(/^Linked!/)).toBeVisible();

  await inbox.goto(await linkIn(await tokenFor(request, uniqueEmail('other'))));
  await inbox.getByRole('button', { name: /^Yes, move this chat to / }).click();
  await expect(inbox.getByText(/^Moved: this chat now receives/).first()).toBeVisible();

  await page.goto('/telegram');
  await expect(page.getByRole('status').filter({ hasText: 'Not linked' })).toBeVisible();
  await expect(page.getByText(/Your chat was moved to another Postaify account on/)).toBeVisible();
  await page.goto('/');
  await expect(page.getByText(/Your Telegram chat was moved to another Postaify account/)).toBeVisible();
});
