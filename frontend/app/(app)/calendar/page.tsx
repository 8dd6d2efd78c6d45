import type { Metadata } from 'next';
import { Agenda } from '@/components/calendar/agenda';

export const metadata: Metadata = { title: 'Calendar' };

export default function Page() {
  return <Agenda />;
}
