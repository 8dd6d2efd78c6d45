import { CalendarDays, CreditCard, Home, ListChecks, Palette, Send, Settings, Sparkles } from 'lucide-react';

export const NAV = [
  { href: '/', label: 'Dashboard', icon: Home },
  { href: '/create', label: 'Create', icon: Sparkles },
  { href: '/posts', label: 'Posts', icon: ListChecks },
  { href: '/calendar', label: 'Calendar', icon: CalendarDays },
  { href: '/brands', label: 'Brands', icon: Palette },
  { href: '/telegram', label: 'Telegram', icon: Send },
  { href: '/billing', label: 'Billing', icon: CreditCard },
  { href: '/settings', label: 'Settings', icon: Settings },
] as const;

/** The phone's bottom bar: the four main places. */
export const PHONE_NAV = NAV.filter((n) => ['/create', '/posts', '/calendar', '/telegram'].includes(n.href));

export const isCurrent = (pathname: string, href: string) =>
  href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
