'use client';
import { useState } from 'react';
import { ErrorNotice } from '@/components/common/error-notice';
import { PageHeader } from '@/components/shell/app-shell';
import { Button } from '@/components/ui/button';
import { Card, CardTitle } from '@/components/ui/card';
import { Empty } from '@/components/ui/empty';
import { Loading } from '@/components/ui/skeleton';
import { useBrands, useCreateBrand, useDeleteBrand, useUpdateBrand } from '@/lib/api/hooks/brands';
import type { Brand } from '@/lib/api/types';
import { BrandForm } from './brand-form';

function BrandItem({ brand }: { brand: Brand }) {
  const [editing, setEditing] = useState(false);
  const update = useUpdateBrand();
  const remove = useDeleteBrand();
  if (editing) {
    return (
      <li className="p-3">
        <BrandForm
          brand={brand}
          busy={update.isPending}
          error={update.error}
          submitLabel="Save brand"
          onSubmit={(body) => update.mutate({ id: brand.id, body }, { onSuccess: () => setEditing(false) })}
          onCancel={() => setEditing(false)}
        />
      </li>
    );
  }
  return (
    <li className="flex flex-col gap-2 p-3 sm:flex-row sm:items-start sm:justify-between">
      <div className="min-w-0">
        <p className="font-medium">{brand.name}</p>
        {brand.description ? <p className="text-sm text-muted">{brand.description}</p> : null}
        {brand.voice ? <p className="text-xs text-muted">Voice: {brand.voice}</p> : null}
      </div>
      <div className="flex shrink-0 gap-2">
        <Button size="sm" onClick={() => setEditing(true)} aria-label={`Edit ${brand.name}`}>
          Edit
        </Button>
        <Button
          size="sm"
          variant="danger"
          aria-label={`Delete ${brand.name}`}
          disabled={remove.isPending}
          onClick={() => {
            if (window.confirm(`Delete the brand ${brand.name}? Its posts stay, without a brand.`))
              remove.mutate(brand.id);
          }}
        >
          Delete
        </Button>
      </div>
      {remove.error ? <ErrorNotice error={remove.error} /> : null}
    </li>
  );
}

export function BrandsPage() {
  const brands = useBrands();
  const create = useCreateBrand();
  const [formKey, setFormKey] = useState(0);
  return (
    <>
      <PageHeader title="Brands" description="Each brand's voice and audience go into every post written for it." />
      <div className="grid gap-5 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <section aria-labelledby="your-brands">
          <h2 id="your-brands" className="mb-3 text-sm font-semibold">
            Your brands
          </h2>
          {brands.isPending ? (
            <Loading label="Loading brands" />
          ) : brands.isError ? (
            <ErrorNotice error={brands.error} title="The brands could not be loaded" />
          ) : brands.data.items.length === 0 ? (
            <Empty title="No brands yet">
              Add a brand so its posts sound like it: its voice, its audience, its images.
            </Empty>
          ) : (
            <ul className="flex flex-col divide-y divide-border rounded-lg border border-border">
              {brands.data.items.map((b) => (
                <BrandItem key={b.id} brand={b} />
              ))}
            </ul>
          )}
        </section>
        <Card>
          <CardTitle className="mb-3">New brand</CardTitle>
          <BrandForm
            key={formKey}
            busy={create.isPending}
            error={create.error}
            submitLabel="Create brand"
            onSubmit={(body) => create.mutate(body, { onSuccess: () => setFormKey((k) => k + 1) })}
          />
        </Card>
      </div>
    </>
  );
}
