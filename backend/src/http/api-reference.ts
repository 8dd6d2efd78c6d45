// GET /api/v1/docs: the API reference, rendered in the browser by Scalar's API reference
// (@scalar/api-reference, its standalone browser bundle) from GET /api/v1/openapi.json. The page,
// the bundle and its start-up script are all served by the API itself: the page loads nothing from
// any other host (no web fonts, no telemetry, no AI agent, no request proxy), and its
// Content-Security-Policy allows scripts, styles and requests from 'self' only.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RequestHandler, Response } from 'express';

const require = createRequire(import.meta.url);
const BUNDLE_FILE = require.resolve('@scalar/api-reference/browser/standalone.js');
/** The package's version (its package.json is not exported, so it is read next to the bundle). */
export const SCALAR_VERSION: string = (
  JSON.parse(readFileSync(join(dirname(BUNDLE_FILE), '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;

/**
 * zod, bundled inside Scalar, probes whether eval is allowed by calling `new Function("")` (for a
 * compiled fast path). The page's policy forbids eval, so the probe fails, but the browser reports
 * a CSP violation on every visit. The probe is answered "no" instead, which is what it finds under
 * this policy anyway: zod parses exactly as it would have. If a new version no longer has the
 * probe, the bundle is served as it is (and the browser test reports any violation).
 */
const EVAL_PROBE = 'try{return new Function(""),!0}catch(e){return!1}';

let bundle: { body: Buffer; hash: string } | undefined;
/** The bundle as served, read once (on the first visit: it is 3.5 MB). */
function readBundle() {
  if (!bundle) {
    const body = Buffer.from(readFileSync(BUNDLE_FILE, 'utf8').replace(EVAL_PROBE, 'return!1'));
    bundle = { body, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) };
  }
  return bundle;
}

/**
 * Mounts the reference and reads its configuration from the page (`data-configuration`), so that
 * no inline script is needed: the policy's script-src is 'self' alone.
 */
const START = `(() => {
  const mount = document.getElementById('reference');
  window.Scalar.createApiReference(mount, JSON.parse(mount.dataset.configuration));
})();
`;
const START_HASH = createHash('sha256').update(START).digest('hex').slice(0, 12);
const START_NAME = `start-${START_HASH}.js`;
/** The bundle's name: the package version and a hash of what is served. */
const bundleName = () => `scalar-${SCALAR_VERSION}-${readBundle().hash}.js`;

/**
 * The page's policy. Scalar sets inline styles (style attributes and <style> elements it adds),
 * hence 'unsafe-inline' for styles only; its icons are data: URLs. `connect-src` adds the API's
 * public origin for the reference's "Test request" client, which sends to the document's server.
 */
function contentSecurityPolicy(apiOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${apiOrigin}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Scalar's options: everything that would reach another host is off. */
function configuration(specUrl: string, title: string) {
  return {
    url: specUrl,
    title,
    metaData: { title },
    layout: 'modern',
    theme: 'default',
    darkMode: false,
    // Scalar's default fonts come from fonts.scalar.com; the system's fonts are used instead.
    withDefaultFonts: false,
    // The "Ask AI" agent (it talks to Scalar's servers) and the developer toolbar (which can
    // upload the document to Scalar to share it) are off; no request proxy is set, so "Test
    // request" sends straight to the API.
    agent: { disabled: true },
    showDeveloperTools: 'never',
    telemetry: false,
    // The "Open API Client" button links to client.scalar.com.
    hideClientButton: true,
    documentDownloadType: 'json',
    defaultHttpClient: { targetKey: 'shell', clientKey: 'curl' },
    authentication: { preferredSecurityScheme: 'bearerAuth' },
    persistAuth: false,
    orderSchemaPropertiesBy: 'preserve',
    orderRequiredPropertiesFirst: false,
    defaultOpenFirstTag: true,
    customCss: CSS,
  };
}

/** System fonts in place of Scalar's web fonts. */
const CSS = `.scalar-app, .light-mode, .dark-mode {
  --scalar-font: ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --scalar-font-code: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface ApiReferenceOptions {
  /** Where the page is mounted, e.g. `/api/v1/docs`. */
  basePath: string;
  /** The OpenAPI document's URL path, e.g. `/api/v1/openapi.json`. */
  specUrl: string;
  title: string;
  /** The API's public URL (the document's server). */
  apiUrl: string;
}

export interface ApiReference {
  /** Answers the page. */
  page: (res: Response) => void;
  /** Serves the page's scripts (mount at `${basePath}/assets`). */
  assets: RequestHandler;
}

export function apiReference({ basePath, specUrl, title, apiUrl }: ApiReferenceOptions): ApiReference {
  const assetsPath = `${basePath}/assets`;
  const csp = contentSecurityPolicy(new URL(apiUrl).origin);
  const config = escapeHtml(JSON.stringify(configuration(specUrl, title)));
  const html = () => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
</head>
<body>
<noscript>This reference needs JavaScript. The OpenAPI document it shows: <a href="${escapeHtml(specUrl)}">${escapeHtml(specUrl)}</a>.</noscript>
<div id="reference" data-configuration="${config}"></div>
<script src="${assetsPath}/${bundleName()}"></script>
<script src="${assetsPath}/${START_NAME}"></script>
</body>
</html>
`;

  /** The page: small, always revalidated (it names the scripts, which never change). */
  const page = (res: Response) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(html());
  };

  const immutable = (res: Response, hash: string, body: string | Buffer) => {
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('ETag', `"${hash}"`); // res.send answers 304 to a matching If-None-Match
    res.type('text/javascript').send(body);
  };

  /**
   * The two scripts, under names that change whenever their content does: cached for a year.
   * Plain middleware rather than API routes: they are files of the reference page, not operations
   * of the API (the OpenAPI document lists the API's routes).
   */
  const assets: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = req.path.slice(1);
    if (name === bundleName()) return immutable(res, readBundle().hash, readBundle().body);
    if (name === START_NAME) return immutable(res, START_HASH, START);
    next();
  };

  return { page, assets };
}
