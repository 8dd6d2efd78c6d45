// A real PNG (8-bit RGB, one IDAT) of any size: a seed-coloured gradient with soft stripes, so
// different requests give visibly different images. zlib at level 1 keeps a 1024x1024 image at a
// few milliseconds; a plain CRC table keeps this portable to any Node version.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function encodePng(width: number, height: number, seed: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  // compression, filter and interlace methods stay 0
  const base = [(seed * 37) % 256, (seed * 101) % 256, (seed * 173) % 256];
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height); // filter byte 0 (None) on every row
  for (let y = 0; y < height; y++) {
    const row = y * stride + 1;
    const stripe = ((y >> 5) & 1) * 16;
    for (let x = 0; x < width; x++) {
      const i = row + x * 3;
      const g = ((x + y) * 255) / (width + height);
      // Seed colour plus gradient, scaled to stay within 0..255 with no wrap-around bands.
      raw[i] = (base[0]! + g) * 0.45 + stripe;
      raw[i + 1] = (base[1]! + (x * 255) / width) * 0.45;
      raw[i + 2] = (base[2]! + (y * 255) / height) * 0.45 + stripe;
    }
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
