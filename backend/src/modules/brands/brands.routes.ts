// Brands: CRUD, each scoped to its owner. Another user's brand is 404, like a missing one. A
// `voiceId` must be one of GET /voice/voices (400 otherwise), checked before anything is written.
import { z } from 'zod';
import { afterCursor, decodeCursor, listQuery, listResponse, page, pageOrder } from '../../http/pagination.js';
import type { RouteTable } from '../../http/route.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import { currentUser } from '../../http/current-user.js';
import type { VoiceCatalog } from '../media/voices.js';
import { idParams } from '../../http/params.js';
import { brandCreate, brandPatch, brandSchema, EXAMPLE_BRAND, toBrandDto } from './brands.schemas.js';

const notFound = () => new AppError('NOT_FOUND', 'Brand not found.');

export function brandRoutes(table: RouteTable, db: Db, voices: Pick<VoiceCatalog, 'requireVoice'>) {
  const tag = 'Brands';
  const checkVoice = async (voiceId: string | null | undefined) => {
    if (voiceId) await voices.requireVoice(voiceId);
  };
  table.add(
    {
      method: 'get',
      path: '/brands',
      operationId: 'listBrands',
      summary: 'List brands',
      description: 'Your brands, newest first, a page at a time.',
      tag,
      query: z.strictObject(listQuery),
      response: listResponse(brandSchema),
    },
    async ({ res, query }) => {
      const rows = await db.brand.findMany({
        where: { userId: currentUser(res).id, ...afterCursor(decodeCursor(query.cursor)) },
        orderBy: pageOrder,
        take: query.limit + 1,
      });
      return page(rows, query.limit, toBrandDto);
    },
  );
  table.add(
    {
      method: 'post',
      path: '/brands',
      operationId: 'createBrand',
      summary: 'Create a brand',
      description: 'Only `name` is required; the voice and audience shape every post written for it.',
      tag,
      body: brandCreate,
      status: 201,
      response: brandSchema,
      examples: { response: EXAMPLE_BRAND },
    },
    async ({ res, body }) => {
      await checkVoice(body.voiceId);
      return toBrandDto(await db.brand.create({ data: { ...body, userId: currentUser(res).id } }));
    },
  );
  table.add(
    {
      method: 'get',
      path: '/brands/:id',
      operationId: 'getBrand',
      summary: 'Get a brand',
      tag,
      params: idParams,
      response: brandSchema,
      errors: ['NOT_FOUND'],
    },
    async ({ res, params }) => {
      const brand = await db.brand.findFirst({ where: { id: params.id, userId: currentUser(res).id } });
      if (!brand) throw notFound();
      return toBrandDto(brand);
    },
  );
  table.add(
    {
      method: 'patch',
      path: '/brands/:id',
      operationId: 'updateBrand',
      summary: 'Update a brand',
      description: 'Change some of its fields; `null` clears an optional one.',
      tag,
      params: idParams,
      body: brandPatch,
      response: brandSchema,
      errors: ['NOT_FOUND'],
    },
    async ({ res, params, body }) => {
      await checkVoice(body.voiceId);
      const { count } = await db.brand.updateMany({
        where: { id: params.id, userId: currentUser(res).id },
        data: body,
      });
      if (count === 0) throw notFound();
      return toBrandDto(await db.brand.findUniqueOrThrow({ where: { id: params.id } }));
    },
  );
  table.add(
    {
      method: 'delete',
      path: '/brands/:id',
      operationId: 'deleteBrand',
      summary: 'Delete a brand',
      description: 'Its posts stay, without a brand.',
      tag,
      params: idParams,
      status: 204,
      errors: ['NOT_FOUND'],
    },
    async ({ res, params }) => {
      const { count } = await db.brand.deleteMany({ where: { id: params.id, userId: currentUser(res).id } });
      if (count === 0) throw notFound();
      return undefined;
    },
  );
}
