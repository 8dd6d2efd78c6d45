// Brands' routes: CRUD over brands.service.ts. Another user's brand is 404, like a missing one; a
// `voiceId` not in GET /voice/voices is 400 and writes nothing.
import { z } from 'zod';
import { listQuery, listResponse } from '../../http/pagination.js';
import type { RouteTable } from '../../http/route.js';
import { currentUser } from '../../http/current-user.js';
import { idParams } from '../../http/params.js';
import { brandCreate, brandPatch, brandSchema, EXAMPLE_BRAND } from './brands.schemas.js';
import type { BrandsService } from './brands.service.js';

export function brandRoutes(table: RouteTable, brands: BrandsService) {
  const tag = 'Brands';
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
    async ({ res, query }) => brands.list(currentUser(res).id, query),
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
    async ({ res, body }) => brands.create(currentUser(res).id, body),
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
    async ({ res, params }) => brands.get(currentUser(res).id, params.id),
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
    async ({ res, params, body }) => brands.update(currentUser(res).id, params.id, body),
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
      await brands.remove(currentUser(res).id, params.id);
      return undefined;
    },
  );
}
