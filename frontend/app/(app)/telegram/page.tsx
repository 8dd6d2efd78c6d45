import type { Metadata } from 'next';
import { TelegramPage } from '@/components/telegram/telegram-page';

export const metadata: Metadata = { title: 'Telegram' };

export default function Page() {
  return <TelegramPage />;
}
