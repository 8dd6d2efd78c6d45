// GET / on the API: a developer who opens the API's URL in a browser gets a small page that says
// what this is and links the reference, the OpenAPI document, /health and the web app. Plain HTML
// with an inline style and no script and no outside asset, so helmet's default CSP allows it.
// Anyone else (a JSON client, curl's */*) gets the usual 404 envelope, which points to the docs.
import { Router } from 'express';
import { AppError } from '../../lib/errors.js';

export const HOME_LINKS = {
  docs: '/api/v1/docs',
  openapi: '/api/v1/openapi.json',
  health: '/health',
} as const;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function homePage(appUrl: string): string {
  const app = escapeHtml(appUrl);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Postaify API</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#1f2328}a{color:#0b5cad}code{font-size:.95em}</style>
</head>
<body>
<main>
<h1>Postaify API</h1>
<p>AI-written social posts, delivered to your own Telegram chat. This is the API; the web app is at <a href="${app}">${app}</a>.</p>
<ul>
<li><a href="${HOME_LINKS.docs}">API reference</a> (<code>${HOME_LINKS.docs}</code>)</li>
<li><a href="${HOME_LINKS.openapi}">OpenAPI document</a> (<code>${HOME_LINKS.openapi}</code>)</li>
<li><a href="${HOME_LINKS.health}">Health</a> (<code>${HOME_LINKS.health}</code>)</li>
</ul>
</main>
</body>
</html>
`;
}

export function homeRoutes({ appUrl }: { appUrl: string }): Router {
  const page = homePage(appUrl);
  const router = Router();
  router.get('/', (req, res, next) => {
    res.vary('Accept');
    // A browser asks for text/html first; no Accept, */* or application/json prefer JSON.
    if (req.accepts(['json', 'html']) === 'html') {
      res.type('html').send(page);
      return;
    }
    next(
      new AppError(
        'NOT_FOUND',
        `No route for ${req.method} /. The API is under /api/v1: its reference is ${HOME_LINKS.docs}, its OpenAPI document ${HOME_LINKS.openapi}.`,
        { ...HOME_LINKS },
      ),
    );
  });
  return router;
}
