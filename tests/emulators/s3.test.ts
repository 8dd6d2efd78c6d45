// The S3 emulator driven the way the product drives S3/R2: the AWS SDK, path-style, SigV4-signed,
// pointed at the emulator by endpoint; public reads over plain HTTP, as a bucket's domain serves.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startS3Emulator, type S3Emulator } from '../../emulators/src/index.ts';
import { injectFault, recorded, resetEmulator } from './helpers.ts';

let emu: S3Emulator;
beforeAll(async () => {
  emu = await startS3Emulator();
});
afterAll(() => emu?.close());
beforeEach(() => resetEmulator(emu.url));

function s3(credentials: { accessKeyId?: string; secretAccessKey?: string } = {}) {
  return new S3Client({
    endpoint: emu.url,
    region: 'auto',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: {
      accessKeyId: credentials.accessKeyId ?? emu.accessKeyId,
      secretAccessKey: credentials.secretAccessKey ?? emu.secretAccessKey,
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

const Bucket = 'postaify-media';

describe('S3 emulator', () => {
  it('stores, serves, heads and deletes an object with its content type', async () => {
    const body = Buffer.from('hello, bucket');
    const put = await s3().send(
      new PutObjectCommand({ Bucket, Key: 'images/a b+c.txt', Body: body, ContentType: 'text/plain' }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(emu.object(Bucket, 'images/a b+c.txt')?.bytes).toEqual(body);

    const got = await s3().send(new GetObjectCommand({ Bucket, Key: 'images/a b+c.txt' }));
    expect(got.ContentType).toBe('text/plain');
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
    const head = await s3().send(new HeadObjectCommand({ Bucket, Key: 'images/a b+c.txt' }));
    expect(head.ContentLength).toBe(body.length);

    const publicRead = await fetch(`${emu.publicUrl()}/images/${encodeURIComponent('a b+c.txt')}`);
    expect(publicRead.status).toBe(200);
    expect(publicRead.headers.get('content-type')).toBe('text/plain');
    expect(Buffer.from(await publicRead.arrayBuffer())).toEqual(body);

    const deleted = await s3().send(new DeleteObjectCommand({ Bucket, Key: 'images/a b+c.txt' }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(emu.keys()).toEqual([]);
    // Deleting again is fine, as on S3.
    await s3().send(new DeleteObjectCommand({ Bucket, Key: 'images/a b+c.txt' }));
    expect((await fetch(`${emu.publicUrl()}/images/a.txt`)).status).toBe(404);
  });

  it('answers a missing key with NoSuchKey in S3 XML, and a missing bucket with NoSuchBucket', async () => {
    await expect(s3().send(new GetObjectCommand({ Bucket, Key: 'nope.png' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      s3().send(new PutObjectCommand({ Bucket: 'other', Key: 'k', Body: Buffer.from('x') })),
    ).rejects.toMatchObject({ name: 'NoSuchBucket' });
    const res = await fetch(`${emu.publicUrl()}/nope.png`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/xml');
    expect(await res.text()).toMatch(
      /<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message>/,
    );
  });

  it('refuses unsigned requests, unknown access keys and wrong secrets', async () => {
    const anonymous = await fetch(`${emu.url}/${Bucket}/k`, { method: 'PUT', body: 'x' });
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>');
    await expect(
      s3({ accessKeyId: 'wrong' }).send(new PutObjectCommand({ Bucket, Key: 'k', Body: Buffer.from('x') })),
    ).rejects.toMatchObject({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } });
    await expect(
      s3({ secretAccessKey: 'wrong' }).send(new PutObjectCommand({ Bucket, Key: 'k', Body: Buffer.from('x') })),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    expect(emu.keys()).toEqual([]);
    // Recorded without credentials.
    const requests = await recorded(emu.url);
    expect(requests).toHaveLength(3);
    expect(requests.every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it('fails the next requests as told, then answers normally', async () => {
    await injectFault(emu.url, { status: 503, count: 2, path: '/postaify-media/' });
    const put = () => s3().send(new PutObjectCommand({ Bucket, Key: 'k', Body: Buffer.from('x') }));
    await expect(put()).rejects.toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    await expect(put()).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } });
    await put();
    expect(emu.keys()).toEqual(['k']);
    const objects = await (await fetch(`${emu.url}/__control/objects`)).json();
    expect(objects).toEqual([{ bucket: Bucket, key: 'k', size: 1, contentType: 'application/octet-stream' }]);
  });
});
