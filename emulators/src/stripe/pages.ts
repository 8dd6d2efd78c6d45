// The two pages a person sees on Stripe's side, as small plain-HTML stand-ins: hosted Checkout
// (`session.url`: the plan, the price, Pay and Cancel) and the customer portal (`portal.url`:
// cancel at period end, undo that, cancel now, switch plan). Every button is a plain <form> POST,
// so a browser test (or curl) can drive them; buttons carry data-testid attributes.
import type { CheckoutLineItem, CheckoutSession } from './store/checkout.js';
import type { PortalSession } from './store/portal.js';
import type { Price } from './store/prices.js';
import type { Subscription } from './store/subscriptions.js';

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);
  } catch {
    return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

const date = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; background: #f6f8fa; color: #1a1f36; margin: 0; }
  main { max-width: 32rem; margin: 3rem auto; background: #fff; border-radius: 8px; padding: 2rem;
         box-shadow: 0 2px 8px rgba(0,0,0,.08); }
  h1 { font-size: 1.25rem; margin-top: 0; }
  .price { font-size: 2rem; font-weight: 600; margin: .5rem 0 1.5rem; }
  .muted { color: #697386; font-size: .9rem; }
  .badge { display: inline-block; background: #e3e8ee; border-radius: 4px; padding: 0 .4rem; font-size: .8rem; }
  form { display: inline; }
  button { font: inherit; border: 0; border-radius: 6px; padding: .6rem 1.2rem; margin: .25rem .25rem .25rem 0; cursor: pointer; }
  button.primary { background: #635bff; color: #fff; }
  button.secondary { background: #e3e8ee; color: #1a1f36; }
  button.danger { background: #df1b41; color: #fff; }
  label { display: block; margin: 0 0 1rem; }
  input { font: inherit; width: 100%; box-sizing: border-box; padding: .5rem; border: 1px solid #c1c9d2; border-radius: 6px; }
  section { border-top: 1px solid #e3e8ee; padding-top: 1rem; margin-top: 1rem; }
  .notice { background: #d7f7c2; border-radius: 6px; padding: .5rem .75rem; }
</style>
</head>
<body>
<main>
${body}
<p class="muted">Stripe emulator · test mode</p>
</main>
</body>
</html>
`;
}

export function messagePage(title: string, message: string, link?: { href: string; text: string }): string {
  const anchor = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : '';
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>\n${anchor}`);
}

export function checkoutPage(session: CheckoutSession, items: CheckoutLineItem[]): string {
  const id = escapeHtml(session.id);
  const interval = items[0]?.price.recurring.interval ?? 'month';
  const lines = items
    .map(
      (item) =>
        `<p data-testid="line-item">${escapeHtml(item.description)}${item.quantity > 1 ? ` × ${item.quantity}` : ''} · ` +
        `${money(item.price.unit_amount, item.currency)} / ${interval}</p>`,
    )
    .join('\n');
  const needsEmail = session.customer === null;
  const email = needsEmail
    ? `<label>Email <input type="email" name="email" required value="${escapeHtml(session.customer_email ?? '')}" data-testid="email"></label>
<label>Name on card <input type="text" name="name" autocomplete="cc-name" data-testid="name"></label>`
    : '';
  return layout(
    `Subscribe · ${items[0]?.description ?? 'Checkout'}`,
    `<h1>Subscribe to ${escapeHtml(items.map((i) => i.description).join(', '))}</h1>
<div class="price" data-testid="total">${money(session.amount_total, session.currency)} <span class="muted">per ${interval}</span></div>
${lines}
<form method="post" action="/checkout/${id}/pay">
${email}
<p class="muted">Card 4242 4242 4242 4242 (test mode: no card is charged)</p>
<button class="primary" type="submit" data-testid="pay">Subscribe</button>
</form>
<form method="post" action="/checkout/${id}/cancel">
<button class="secondary" type="submit" data-testid="cancel">Cancel</button>
</form>`,
  );
}

export interface PortalView {
  portal: PortalSession;
  email: string | null;
  subscriptions: Subscription[];
  prices: Price[];
  productName: (price: Price) => string;
  notice?: string;
}

function subscriptionSection(view: PortalView, subscription: Subscription): string {
  const base = `/portal/${escapeHtml(view.portal.id)}/subscriptions/${escapeHtml(subscription.id)}`;
  const item = subscription.items.data[0];
  const price = item?.price;
  const name = price ? view.productName(price) : subscription.id;
  const when = subscription.cancel_at_period_end
    ? `Cancels on ${date(subscription.current_period_end)}`
    : `Renews on ${date(subscription.current_period_end)}`;
  const cancel = subscription.cancel_at_period_end
    ? `<form method="post" action="${base}/reactivate"><button class="primary" type="submit" data-testid="reactivate">Don't cancel</button></form>`
    : `<form method="post" action="${base}/cancel"><button class="danger" type="submit" data-testid="cancel">Cancel plan</button></form>`;
  const switches = view.prices
    .filter((p) => p.id !== price?.id && p.currency === subscription.currency && p.active)
    .map(
      (p) =>
        `<form method="post" action="${base}/switch"><input type="hidden" name="price" value="${escapeHtml(p.id)}">` +
        `<button class="secondary" type="submit" data-testid="switch-${escapeHtml(p.id)}">Switch to ${escapeHtml(view.productName(p))} ` +
        `(${money(p.unit_amount, p.currency)} / ${p.recurring.interval})</button></form>`,
    )
    .join('\n');
  return `<section data-testid="subscription" data-subscription-id="${escapeHtml(subscription.id)}">
<h2>${escapeHtml(name)} <span class="badge">${escapeHtml(subscription.status)}</span></h2>
<p>${price ? `${money(price.unit_amount, price.currency)} / ${price.recurring.interval} · ` : ''}${when}</p>
${cancel}
<form method="post" action="${base}/cancel-now"><button class="secondary" type="submit" data-testid="cancel-now">Cancel immediately</button></form>
${switches}
</section>`;
}

export function portalPage(view: PortalView): string {
  const notice = view.notice ? `<p class="notice" data-testid="notice">${escapeHtml(view.notice)}</p>` : '';
  const subscriptions =
    view.subscriptions.length === 0
      ? '<p data-testid="no-subscriptions">No active subscriptions.</p>'
      : view.subscriptions.map((s) => subscriptionSection(view, s)).join('\n');
  const back = view.portal.return_url
    ? `<p><a href="${escapeHtml(view.portal.return_url)}" data-testid="return">← Return</a></p>`
    : '';
  return layout(
    'Manage your subscription',
    `<h1>Manage your subscription</h1>
<p class="muted">${escapeHtml(view.email ?? view.portal.customer)}</p>
${notice}
${subscriptions}
${back}`,
  );
}
