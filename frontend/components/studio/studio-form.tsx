'use client';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input, Select, Textarea } from '@/components/ui/field';
import { useBrands } from '@/lib/api/hooks/brands';
import type { GenerateInput, Platform, Style } from '@/lib/api/types';
import { PLATFORM_NAMES, PLATFORMS } from '@/lib/platforms';
import { field } from '@/lib/form';

const STYLES: Array<[Style, string]> = [
  ['PROFESSIONAL', 'Professional'],
  ['CASUAL', 'Casual'],
  ['WITTY', 'Witty'],
  ['INSPIRATIONAL', 'Inspirational'],
  ['EDUCATIONAL', 'Educational'],
];

export function StudioForm({
  busy,
  postsLeft,
  onSubmit,
}: {
  busy: boolean;
  postsLeft: number | undefined;
  onSubmit: (input: GenerateInput) => void;
}) {
  const brands = useBrands();
  const [transcript, setTranscript] = useState('');
  const tooShort = transcript.trim().length < 10;
  const submit = (form: FormData) => {
    const brandId = field(form, 'brandId');
    const language = field(form, 'language').trim();
    onSubmit({
      transcript: transcript.trim(),
      platform: field(form, 'platform') as Platform,
      style: field(form, 'style') as Style,
      numberOfPosts: Number(field(form, 'numberOfPosts')),
      ...(brandId ? { brandId } : {}),
      ...(language ? { language } : {}),
    });
  };
  return (
    <form action={submit} className="flex flex-col gap-4">
      <Field
        label="Transcript or notes"
        hint="A talk, a voice memo's transcript, bullet notes or a goal: 10 to 20,000 characters."
        aside={<span className="tabular text-xs text-muted">{transcript.length.toLocaleString('en-US')} / 20,000</span>}
      >
        {(p) => (
          <Textarea
            {...p}
            name="transcript"
            value={transcript}
            onChange={(e) => setTranscript(e.target.value)}
            maxLength={20_000}
            required
            rows={10}
            placeholder="Paste a transcript to write your first posts"
          />
        )}
      </Field>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3">
        <Field label="Platform">
          {(p) => (
            <Select {...p} name="platform" defaultValue="LINKEDIN">
              {PLATFORMS.map((platform) => (
                <option key={platform} value={platform}>
                  {PLATFORM_NAMES[platform]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Style">
          {(p) => (
            <Select {...p} name="style" defaultValue="PROFESSIONAL">
              {STYLES.map(([id, label]) => (
                <option key={id} value={id}>
                  {label}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Brand">
          {(p) => (
            <Select {...p} name="brandId" defaultValue="" disabled={brands.isPending}>
              <option value="">No brand</option>
              {brands.data?.items.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Number of posts">
          {(p) => <Input {...p} name="numberOfPosts" type="number" min={1} max={10} defaultValue={3} required />}
        </Field>
        <Field label="Language" hint="Optional; the transcript's by default.">
          {(p) => <Input {...p} name="language" placeholder="e.g. German" maxLength={40} />}
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" variant="primary" disabled={busy || tooShort}>
          {busy ? 'Generating…' : 'Generate'}
        </Button>
        {postsLeft !== undefined ? (
          <span className="tabular text-sm text-muted">{postsLeft.toLocaleString('en-US')} posts left this month</span>
        ) : null}
      </div>
    </form>
  );
}
