// The admin sign-in page (GET …/admin) and its script. The admin pastes a session token (the web
// app's Clerk session token, or the local sign-in's); the script posts it in the Authorization
// header, never in a URL, and the answer sets the admin cookie. The script is a file of its own:
// the app's Content-Security-Policy (helmet: script-src 'self') runs no inline script.

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function signInPage(basePath: string): string {
  const base = escape(basePath);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Postaify admin: sign in</title>
<script defer src="${base}/sign-in.js"></script>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; }
textarea { width: 100%; min-height: 6rem; font-family: ui-monospace, monospace; }
button { margin-top: .5rem; padding: .4rem 1rem; }
#status { min-height: 1.5em; }
</style>
</head>
<body>
<h1>Postaify admin</h1>
<p>Paste a session token of an account named in <code>ADMIN_USER_IDS</code>. It is sent once, in the
Authorization header; the answer is a cookie for this page that lasts 15 minutes.</p>
<form id="sign-in" data-base="${base}">
<label for="token">Session token</label>
<textarea id="token" name="token" autocomplete="off" spellcheck="false" required></textarea>
<button type="submit">Sign in</button>
</form>
<p id="status" role="status"></p>
</body>
</html>
`;
}

export const SIGN_IN_SCRIPT = `'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('sign-in');
  const status = document.getElementById('status');
  const base = form.dataset.base;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = document.getElementById('token').value.trim();
    status.textContent = 'Signing in…';
    try {
      const res = await fetch(base + '/session', {
        method: 'POST',
        headers: { Authorization: 'Bearer ' + token },
        credentials: 'same-origin',
      });
      if (res.status === 204) {
        location.assign(base + '/queues');
        return;
      }
      status.textContent =
        res.status === 403 ? 'This account is not an admin.' : res.status === 401 ? 'That token is not valid (or expired).' : 'Sign-in failed (' + res.status + ').';
    } catch {
      status.textContent = 'The API did not answer.';
    }
  });
});
`;
