'use client';
import { useState } from 'react';
import { ErrorNotice } from '@/components/common/error-notice';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { useAuth } from '@/lib/auth/context';
import { field } from '@/lib/form';

/** The local sign-in: an email and a name; the same email is the same account next time. */
export function LocalSignInForm({ onSignedIn }: { onSignedIn: () => void }) {
  const { signInLocally } = useAuth();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (form: FormData) => {
    setBusy(true);
    setError(null);
    try {
      await signInLocally!(field(form, 'email').trim(), field(form, 'name').trim());
      onSignedIn();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form action={(form) => void submit(form)} className="flex flex-col gap-4">
      <Field label="Email">
        {(p) => <Input {...p} name="email" type="email" autoComplete="email" required placeholder="you@example.com" />}
      </Field>
      <Field label="Name">
        {(p) => <Input {...p} name="name" autoComplete="name" required maxLength={100} placeholder="Your name" />}
      </Field>
      {error ? <ErrorNotice error={error} title="Could not sign in" /> : null}
      <Button type="submit" variant="primary" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
