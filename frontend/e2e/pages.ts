// Every page of the app, for the accessibility checks and the screenshots.
export const SIGNED_OUT_PAGES = [
  { path: '/', name: 'landing' },
  { path: '/sign-in', name: 'sign-in' },
];

export const signedInPages = (postId: string) => [
  { path: '/', name: 'dashboard' },
  { path: '/create', name: 'create' },
  { path: '/posts', name: 'posts' },
  { path: `/posts/${postId}`, name: 'editor' },
  { path: '/calendar', name: 'calendar' },
  { path: '/brands', name: 'brands' },
  { path: '/telegram', name: 'telegram' },
  { path: '/billing', name: 'billing' },
  { path: '/billing/success', name: 'billing-success' },
  { path: '/billing/cancelled', name: 'billing-cancelled' },
  { path: '/settings', name: 'settings' },
  { path: '/more', name: 'more' },
];
