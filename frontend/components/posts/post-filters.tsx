'use client';
import { Field, Select } from '@/components/ui/field';
import { STATUS_WORDS } from '@/components/common/status-badge';
import type { Brand, PostStatus } from '@/lib/api/types';
import { PLATFORM_NAMES, PLATFORMS } from '@/lib/platforms';

export interface Filters {
  status?: PostStatus;
  platform?: (typeof PLATFORMS)[number];
  brandId?: string;
}

/** Status, platform and brand; kept in the URL so a filtered list can be shared and reloaded. */
export function PostFilters({
  filters,
  brands,
  onChange,
}: {
  filters: Filters;
  brands: Brand[];
  onChange: (next: Filters) => void;
}) {
  const set = (key: keyof Filters, value: string) => onChange({ ...filters, [key]: value || undefined });
  return (
    <div className="grid grid-cols-2 gap-3 sm:grid-cols-3">
      <Field label="Status">
        {(p) => (
          <Select {...p} value={filters.status ?? ''} onChange={(e) => set('status', e.target.value)}>
            <option value="">Every status</option>
            {Object.entries(STATUS_WORDS).map(([id, word]) => (
              <option key={id} value={id}>
                {word}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field label="Platform">
        {(p) => (
          <Select {...p} value={filters.platform ?? ''} onChange={(e) => set('platform', e.target.value)}>
            <option value="">Every platform</option>
            {PLATFORMS.map((id) => (
              <option key={id} value={id}>
                {PLATFORM_NAMES[id]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field label="Brand">
        {(p) => (
          <Select {...p} value={filters.brandId ?? ''} onChange={(e) => set('brandId', e.target.value)}>
            <option value="">Every brand</option>
            {brands.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </Select>
        )}
      </Field>
    </div>
  );
}
