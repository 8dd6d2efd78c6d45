'use client';
import { CheckCircle2 } from 'lucide-react';
import { useEffect, useState } from 'react';
import { ErrorNotice } from '@/components/common/error-notice';
import { Time } from '@/components/common/time';
import { PageHeader } from '@/components/shell/app-shell';
import { Button } from '@/components/ui/button';
import { Card, CardTitle } from '@/components/ui/card';
import { Loading } from '@/components/ui/skeleton';
import { useCreateLink, useSendTest, useTelegram, useUnlink } from '@/lib/api/hooks/telegram';
import type { TelegramLink } from '@/lib/api/types';
import { QrCode } from './qr-code';

const WORDS: Record<TelegramLink['status'], string> = {
  LINKED: 'Linked',
  UNLINKED: 'Not linked',
  UNREACHABLE: 'Unreachable',
};
const TONES: Record<TelegramLink['status'], string> = {
  LINKED: 'bg-green-50 text-green-800 dark:bg-green-950 dark:text-green-200',
  UNLINKED: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-200',
  UNREACHABLE: 'bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-200',
};

export function TelegramPage() {
  const create = useCreateLink();
  const code = create.data;
  const expired = code ? Date.parse(code.expiresAt) < Date.now() : false;
  // While a code is out, the status refreshes by itself until the chat is linked.
  const [watching, setWatching] = useState(false);
  const link = useTelegram(watching);
  const test = useSendTest();
  const unlink = useUnlink();
  const status = link.data?.status;
  useEffect(() => {
    if (code && status !== 'LINKED') setWatching(true);
    if (status === 'LINKED') setWatching(false);
  }, [code, status]);
  const localTapUrl = code?.localTapUrl;

  return (
    <>
      <PageHeader
        title="Telegram"
        description="Your posts arrive in your own Telegram chat, ready to copy from your phone."
      />
      {link.isPending ? (
        <Loading label="Loading the Telegram link" />
      ) : link.isError ? (
        <ErrorNotice error={link.error} title="The Telegram link could not be loaded" />
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          <Card className="flex flex-col gap-3">
            <div className="flex items-center justify-between">
              <CardTitle>Status</CardTitle>
              <span
                role="status"
                aria-live="polite"
                className={`rounded-full px-2 py-0.5 text-xs font-medium ${TONES[link.data.status]}`}
              >
                {WORDS[link.data.status]}
              </span>
            </div>
            {link.data.status === 'LINKED' ? (
              <>
                <p className="flex items-center gap-2 text-sm">
                  <CheckCircle2 aria-hidden className="size-4 text-green-700 dark:text-green-300" />
                  Delivering to {link.data.username ? `@${link.data.username}` : 'your chat'}
                  {link.data.linkedAt ? (
                    <>
                      {' '}
                      since <Time iso={link.data.linkedAt} />
                    </>
                  ) : null}
                  .
                </p>
                <div className="flex flex-wrap gap-2">
                  <Button onClick={() => test.mutate()} disabled={test.isPending}>
                    {test.isPending ? 'Sending…' : 'Send test message'}
                  </Button>
                  <Button
                    variant="danger"
                    disabled={unlink.isPending}
                    onClick={() => {
                      if (
                        window.confirm('Unlink this chat? Scheduled posts will not be delivered until you link again.')
                      )
                        unlink.mutate();
                    }}
                  >
                    Unlink
                  </Button>
                </div>
                {test.isSuccess ? <p className="text-sm text-muted">Sent: look in your Telegram chat.</p> : null}
              </>
            ) : link.data.status === 'UNREACHABLE' ? (
              <p className="text-sm">
                Telegram refused to deliver to the linked chat: the bot was blocked or the chat is gone. Connect again
                to resume deliveries.
              </p>
            ) : link.data.movedAt ? (
              <p className="text-sm">
                Your chat was moved to another Postaify account on <Time iso={link.data.movedAt} />: someone in it
                opened that account&rsquo;s link and confirmed the move in the bot. Posts that were scheduled failed;
                connect a chat again, then reschedule them.
              </p>
            ) : (
              <p className="text-sm">No chat is linked yet. Connect once; every scheduled post then arrives there.</p>
            )}
            {(test.error ?? unlink.error) ? <ErrorNotice error={test.error ?? unlink.error} /> : null}
          </Card>
          {link.data.status !== 'LINKED' ? (
            <Card className="flex flex-col gap-3">
              <CardTitle>Connect</CardTitle>
              {!code || expired ? (
                <>
                  <p className="text-sm text-muted">
                    {expired ? 'That code has expired. ' : ''}You get a link to the Postaify bot; open it on the phone
                    with Telegram and tap Start.
                  </p>
                  <Button
                    variant="primary"
                    className="self-start"
                    onClick={() => create.mutate()}
                    disabled={create.isPending}
                  >
                    Connect Telegram
                  </Button>
                </>
              ) : (
                <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
                  <QrCode value={code.deepLink} label="QR code of the link to the Postaify bot" />
                  <div className="flex flex-col gap-2 text-sm">
                    <p>Scan the code with your phone, or open the link where Telegram is installed:</p>
                    <a
                      href={code.deepLink}
                      className="font-medium break-all underline underline-offset-2"
                      target="_blank"
                      rel="noreferrer"
                    >
                      {code.deepLink}
                    </a>
                    <p className="text-xs text-muted">
                      Single use, valid until <Time iso={code.expiresAt} />. This page updates by itself once you tap
                      Start.
                    </p>
                    {localTapUrl ? (
                      <p className="rounded-md border border-amber-300 p-2 text-xs dark:border-amber-800">
                        Local mode: there is no real Telegram here.{' '}
                        <a
                          href={localTapUrl}
                          target="_blank"
                          rel="noreferrer"
                          className="font-medium underline underline-offset-2"
                        >
                          Open the Telegram emulator&apos;s inbox and tap Start there
                        </a>
                        .
                      </p>
                    ) : null}
                  </div>
                </div>
              )}
              {create.error ? <ErrorNotice error={create.error} title="No link code" /> : null}
            </Card>
          ) : null}
        </div>
      )}
    </>
  );
}
