import type { Metadata } from 'next';
import { TelegramPage } from '@/components/telegram/telegram-page';
import { Prefetch } from '@/lib/api/prefetch';
import { telegramQuery } from '@/lib/api/queries';

export const metadata: Metadata = { title: 'Telegram' };

export default function Page() {
  return (
    <Prefetch load={(client, api) => [client.prefetchQuery(telegramQuery(api))]}>
      <TelegramPage />
    </Prefetch>
  );
}
