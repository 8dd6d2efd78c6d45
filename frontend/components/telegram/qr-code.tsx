'use client';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';

/** A QR code of `value`, drawn here as SVG (no image service). */
export function QrCode({ value, label }: { value: string; label: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void QRCode.toString(value, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }).then((s) => live && setSvg(s));
    return () => {
      live = false;
    };
  }, [value]);
  return (
    <div
      role="img"
      aria-label={label}
      className="size-44 rounded-lg bg-white p-2"
      // The SVG is qrcode's own output for our value: no user markup reaches it.
      dangerouslySetInnerHTML={svg ? { __html: svg } : undefined}
    />
  );
}
