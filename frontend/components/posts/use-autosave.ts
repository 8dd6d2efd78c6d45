'use client';
import { useEffect, useRef } from 'react';

/**
 * Unsaved edits are not lost: `save` runs `delayMs` after the last change while `canSave`, and
 * leaving the page (reload, close, another site) asks first while anything is unsaved.
 */
export function useAutosave({
  dirty,
  canSave,
  save,
  delayMs = 1_500,
  value,
}: {
  dirty: boolean;
  canSave: boolean;
  save: () => void;
  delayMs?: number;
  value: unknown;
}) {
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    if (!dirty || !canSave) return;
    const timer = setTimeout(() => saveRef.current(), delayMs);
    return () => clearTimeout(timer);
  }, [dirty, canSave, delayMs, value]);
  useEffect(() => {
    if (!dirty) return;
    const guard = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', guard);
    return () => window.removeEventListener('beforeunload', guard);
  }, [dirty]);
}
