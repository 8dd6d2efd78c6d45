// What a file really is, from its first bytes: Telegram re-encodes photos (so a non-image upload
// fails with IMAGE_PROCESS_FAILED) and reports a voice message's duration and MIME type.
import { mp3FrameLength } from '../mp3.js';

export interface ImageInfo {
  mime: string;
  width: number;
  height: number;
}

/** PNG, JPEG, GIF or WebP with their pixel size, or undefined for anything else. */
export function imageInfo(b: Buffer): ImageInfo | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') {
    return { mime: 'image/png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 10 && b.toString('latin1', 0, 4) === 'GIF8') {
    return { mime: 'image/gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  }
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const chunk = b.toString('latin1', 12, 16);
    if (chunk === 'VP8X')
      return { mime: 'image/webp', width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
    if (chunk === 'VP8 ')
      return { mime: 'image/webp', width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = b.readUInt32LE(21);
      return { mime: 'image/webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // Walk the JPEG segments to the first start-of-frame marker, which holds the size.
    for (let at = 2; at + 9 < b.length;) {
      if (b[at] !== 0xff) return undefined;
      const marker = b[at + 1]!;
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
        return { mime: 'image/jpeg', width: b.readUInt16BE(at + 7), height: b.readUInt16BE(at + 5) };
      }
      at += 2 + b.readUInt16BE(at + 2);
    }
  }
  return undefined;
}

export interface AudioInfo {
  mime: string;
  /** Whole seconds, as Telegram's `duration`. */
  duration: number;
}

function mp3Seconds(b: Buffer): number | undefined {
  let at =
    b.toString('latin1', 0, 3) === 'ID3' && b.length > 10
      ? 10 + ((b[6]! << 21) | (b[7]! << 14) | (b[8]! << 7) | b[9]!)
      : 0;
  if (mp3FrameLength(b, at) === undefined) return undefined;
  const version = (b[at + 1]! >> 3) & 3;
  const rates: Record<number, number[]> = {
    3: [44100, 48000, 32000],
    2: [22050, 24000, 16000],
    0: [11025, 12000, 8000],
  };
  const rate = rates[version]![(b[at + 2]! >> 2) & 3]!;
  let frames = 0;
  for (let length = mp3FrameLength(b, at); length !== undefined; length = mp3FrameLength(b, at)) {
    frames += 1;
    at += length;
  }
  return (frames * (version === 3 ? 1152 : 576)) / rate;
}

/** OGG (Opus or Vorbis), MP3 or M4A, with a duration when the container tells it. */
export function audioInfo(b: Buffer): AudioInfo | undefined {
  if (b.toString('latin1', 0, 4) === 'OggS') {
    // The last page's granule position counts 48 kHz samples for Opus.
    const last = b.lastIndexOf('OggS');
    const granule = last + 14 <= b.length ? Number(b.readBigUInt64LE(last + 6)) : 0;
    const rate = b.includes('OpusHead') ? 48_000 : 44_100;
    return { mime: 'audio/ogg', duration: Math.round(granule / rate) };
  }
  const seconds = mp3Seconds(b);
  if (seconds !== undefined) return { mime: 'audio/mpeg', duration: Math.round(seconds) };
  if (b.toString('latin1', 4, 8) === 'ftyp') return { mime: 'audio/mp4', duration: 0 };
  return undefined;
}
