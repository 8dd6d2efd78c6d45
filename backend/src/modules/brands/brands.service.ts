// Brands, each scoped to its owner: another user's brand is NOT_FOUND, like a missing one. A
// `voiceId` must be one of GET /voice/voices, checked before anything is written.
import type { z } from 'zod';
import { afterCursor, decodeCursor, page, pageOrder } from '../../http/pagination.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import type { VoiceCatalog } from '../media/media.service.js';
import { toBrandDto, type brandCreate, type brandPatch } from './brands.schemas.js';

const notFound = () => new AppError('NOT_FOUND', 'Brand not found.');

export interface BrandsDeps {
  db: Db;
  voices: Pick<VoiceCatalog, 'requireVoice'>;
}

export function createBrandsService({ db, voices }: BrandsDeps) {
  const checkVoice = async (voiceId: string | null | undefined) => {
    if (voiceId) await voices.requireVoice(voiceId);
  };
  return {
    async list(userId: string, query: { cursor?: string; limit: number }) {
      const rows = await db.brand.findMany({
        where: { userId, ...afterCursor(decodeCursor(query.cursor)) },
        orderBy: pageOrder,
        take: query.limit + 1,
      });
      return page(rows, query.limit, toBrandDto);
    },
    async create(userId: string, body: z.output<typeof brandCreate>) {
      await checkVoice(body.voiceId);
      return toBrandDto(await db.brand.create({ data: { ...body, userId } }));
    },
    async get(userId: string, id: string) {
      const brand = await db.brand.findFirst({ where: { id, userId } });
      if (!brand) throw notFound();
      return toBrandDto(brand);
    },
    async update(userId: string, id: string, body: z.output<typeof brandPatch>) {
      await checkVoice(body.voiceId);
      const { count } = await db.brand.updateMany({ where: { id, userId }, data: body });
      if (count === 0) throw notFound();
      return toBrandDto(await db.brand.findUniqueOrThrow({ where: { id } }));
    },
    async remove(userId: string, id: string) {
      const { count } = await db.brand.deleteMany({ where: { id, userId } });
      if (count === 0) throw notFound();
    },
  };
}

export type BrandsService = ReturnType<typeof createBrandsService>;
