// Real MP3 audio of a given length: a quiet hum with a speech-like syllable rhythm, encoded by
// lamejs (pure JS) as mono MPEG-2 Layer III at 16 kHz, 16 kbit/s. lamejs needs about 20 ms per
// second of audio, so a 2-second block is encoded once and its frames are repeated: the block's
// first frame is the stream's first, whose main data starts in itself (main_data_begin = 0), so
// each repetition decodes cleanly and any whole number of frames is a valid MP3.
import { Mp3Encoder } from '@breezystack/lamejs';

export const MP3_SAMPLE_RATE = 16_000;
const KBPS = 16;
const SAMPLES_PER_FRAME = 576; // MPEG-2 Layer III
const BLOCK_SECONDS = 2;
export const MAX_SECONDS = 60;

const BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/** Byte length of the Layer III frame whose header starts at `at`, or undefined if none does. */
export function mp3FrameLength(bytes: Uint8Array, at: number): number | undefined {
  const [b0, b1, b2] = [bytes[at], bytes[at + 1], bytes[at + 2]];
  if (b0 !== 0xff || b1 === undefined || b2 === undefined || (b1 & 0xe0) !== 0xe0) return undefined;
  const version = (b1 >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
  if (version === 1 || ((b1 >> 1) & 3) !== 1) return undefined; // reserved, or not Layer III
  const kbps = (version === 3 ? BITRATES_V1 : BITRATES_V2)[b2 >> 4];
  const rate = RATES[version]?.[(b2 >> 2) & 3];
  if (!kbps || !rate) return undefined;
  return Math.floor(((version === 3 ? 144 : 72) * kbps * 1000) / rate) + ((b2 >> 1) & 1);
}

let block: Buffer[] | undefined;

function encodeBlock(): Buffer[] {
  const samples = new Int16Array(MP3_SAMPLE_RATE * BLOCK_SECONDS);
  for (let i = 0; i < samples.length; i++) {
    const t = i / MP3_SAMPLE_RATE;
    const syllables = 0.55 + 0.45 * Math.sin(2 * Math.PI * 3 * t); // about three "syllables" a second
    const hum = Math.sin(2 * Math.PI * 190 * t) + 0.35 * Math.sin(2 * Math.PI * 380 * t);
    samples[i] = Math.round(1200 * syllables * hum);
  }
  const out = new Mp3Encoder(1, MP3_SAMPLE_RATE, KBPS).encodeBuffer(samples);
  const bytes = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  // Only whole frames: whatever the encoder still holds back is left out.
  const frames: Buffer[] = [];
  for (let at = 0, length = mp3FrameLength(bytes, 0); length && at + length <= bytes.length;) {
    frames.push(bytes.subarray(at, at + length));
    at += length;
    length = mp3FrameLength(bytes, at);
  }
  if (frames.length === 0) throw new Error('lamejs produced no MPEG frames');
  return frames;
}

/** An MP3 of about `seconds` (clamped to 1..60), in whole frames. */
export function mp3OfDuration(seconds: number): Buffer {
  block ??= encodeBlock();
  const frames = block;
  const wanted = Math.ceil((Math.min(Math.max(seconds, 1), MAX_SECONDS) * MP3_SAMPLE_RATE) / SAMPLES_PER_FRAME);
  return Buffer.concat(Array.from({ length: wanted }, (_, i) => frames[i % frames.length]!));
}
