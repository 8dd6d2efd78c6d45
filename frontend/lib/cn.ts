import { clsx, type ClassValue } from 'clsx';

/**
 * Class names joined. No merging of Tailwind utilities (tailwind-merge was 9 kB of every page's
 * JavaScript): instead no element is ever given two utilities for the same property. A
 * component's variants own the properties they change, and a state picks one class or the
 * other, never a base class plus an override.
 */
export const cn = (...inputs: ClassValue[]) => clsx(inputs);
