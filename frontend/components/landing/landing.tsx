'use client';
import { Plans } from '@/components/billing/plan-cards';
import { ButtonLink } from '@/components/ui/button';
import type { PlanList } from '@/lib/api/types';

const STEPS = [
  ['Paste what you said', 'A transcript, notes or a goal. Postaify writes posts for X, LinkedIn, Instagram and more.'],
  ['Edit and schedule', 'Fix a few words, add an image or a voice-over, and pick a time in your own time zone.'],
  ['Get it in Telegram', 'At that time the post arrives in your own Telegram chat, ready to copy from your phone.'],
] as const;

export function Landing({ initialPlans }: { initialPlans?: PlanList | null | undefined }) {
  return (
    <main id="main" className="mx-auto flex max-w-5xl flex-col gap-12 px-4 py-10 sm:px-6">
      <header className="flex items-center justify-between">
        <span className="text-base font-semibold">Postaify</span>
        <ButtonLink href="/sign-in">Sign in</ButtonLink>
      </header>
      <section className="flex flex-col items-start gap-4">
        <h1 className="max-w-2xl text-3xl font-semibold tracking-tight sm:text-4xl">
          Turn what you said into posts, delivered to your Telegram.
        </h1>
        <p className="max-w-xl text-muted">
          Postaify writes social posts from your transcripts and notes, with an image and a voice-over, and sends each
          one to your own Telegram chat when it is due, so you can post it from your phone.
        </p>
        <ButtonLink href="/sign-in" variant="primary">
          Sign in to start
        </ButtonLink>
      </section>
      <ol className="grid gap-4 sm:grid-cols-3">
        {STEPS.map(([title, text], i) => (
          <li key={title} className="rounded-lg border border-border p-4">
            <p className="tabular text-xs text-muted">Step {i + 1}</p>
            <h2 className="mt-1 font-medium">{title}</h2>
            <p className="mt-1 text-sm text-muted">{text}</p>
          </li>
        ))}
      </ol>
      <section className="flex flex-col gap-4" aria-labelledby="plans">
        <h2 id="plans" className="text-lg font-semibold">
          Plans
        </h2>
        <Plans initial={initialPlans} />
        <p className="text-sm text-muted">
          Every plan uses the whole app; the plans differ only in how much they make.
        </p>
      </section>
    </main>
  );
}
