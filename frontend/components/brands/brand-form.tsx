'use client';
import { ErrorNotice } from '@/components/common/error-notice';
import { Button } from '@/components/ui/button';
import { Field, Input, Textarea } from '@/components/ui/field';
import type { Brand, BrandInput } from '@/lib/api/types';
import { field } from '@/lib/form';

const FIELDS = [
  ['description', 'Description', 'What the brand is, in a sentence or two.', 2_000],
  ['voice', 'Voice', 'How it sounds: e.g. warm, plain words, no jargon.', 1_000],
  ['audience', 'Audience', 'Who reads it.', 1_000],
  ['imageStyle', 'Image style', 'e.g. bright flat illustration, brand colours teal and sand.', 500],
] as const;

/** A brand's name and the words every prompt for it carries. */
export function BrandForm({
  brand,
  busy,
  error,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  brand?: Brand;
  busy: boolean;
  error: unknown;
  submitLabel: string;
  onSubmit: (input: BrandInput) => void;
  onCancel?: () => void;
}) {
  const submit = (form: FormData) => {
    const text = (key: string) => {
      const value = field(form, key).trim();
      return value === '' ? null : value;
    };
    onSubmit({
      name: field(form, 'name').trim(),
      description: text('description'),
      voice: text('voice'),
      audience: text('audience'),
      imageStyle: text('imageStyle'),
    });
  };
  return (
    <form action={submit} className="flex flex-col gap-3">
      <Field label="Brand name">
        {(p) => <Input {...p} name="name" required maxLength={100} defaultValue={brand?.name ?? ''} />}
      </Field>
      {FIELDS.map(([key, label, hint, max]) => (
        <Field key={key} label={label} hint={hint}>
          {(p) => <Textarea {...p} name={key} rows={2} maxLength={max} defaultValue={brand?.[key] ?? ''} compact />}
        </Field>
      ))}
      {error ? <ErrorNotice error={error} title="Not saved" /> : null}
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={busy}>
          {submitLabel}
        </Button>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
      </div>
    </form>
  );
}
