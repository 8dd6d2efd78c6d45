import type { RouteTable } from '../../http/route.js';
import { listResponse, page } from '../../http/pagination.js';
import { currentUser } from '../../http/current-user.js';
import { idParams } from '../../http/params.js';
import {
  EXAMPLE_POST,
  postCreate,
  postListQuery,
  postPatch,
  postSchema,
  scheduleBody,
  toPostDto,
} from './posts.schemas.js';
import type { PostsService } from './posts.service.js';

export function postRoutes(table: RouteTable, posts: PostsService) {
  const tag = 'Posts';
  const byId = { params: idParams, response: postSchema, tag } as const;
  table.add(
    {
      method: 'get',
      path: '/posts',
      operationId: 'listPosts',
      summary: 'List posts',
      description:
        'Your posts, newest first, a page at a time. Filter by `status`, `brandId` and `platform`; `from` and `to` bound `scheduledFor` (e.g. one calendar week).',
      tag,
      query: postListQuery,
      response: listResponse(postSchema),
      examples: {
        response: {
          items: [EXAMPLE_POST],
          nextCursor: 'MjAyNi0xMS0yMlQwOTozMDowMC4wMDBafDVmMWMyYTllLThiM2QtNGM3YS05ZTIxLTZkNGI4ZjBhM2MxNw',
        },
      },
    },
    async ({ res, query }) => page(await posts.list(currentUser(res).id, query), query.limit, toPostDto),
  );
  table.add(
    {
      method: 'post',
      path: '/posts',
      operationId: 'createPost',
      summary: 'Create a post',
      description:
        'Write a post by hand: a `DRAFT`. It does not count against the quota. Content longer than its platform allows is 400.',
      tag,
      body: postCreate,
      status: 201,
      response: postSchema,
      examples: {
        response: {
          ...EXAMPLE_POST,
          status: 'DRAFT',
          scheduledFor: null,
          aiGenerated: false,
          aiModel: null,
          updatedAt: EXAMPLE_POST.createdAt,
        },
      },
      errors: ['NOT_FOUND'],
    },
    async ({ res, body }) => toPostDto(await posts.create(currentUser(res).id, body)),
  );
  table.add(
    {
      ...byId,
      method: 'get',
      path: '/posts/:id',
      operationId: 'getPost',
      summary: 'Get a post',
      errors: ['NOT_FOUND'],
      examples: { response: EXAMPLE_POST },
    },
    async ({ res, params }) => toPostDto(await posts.get(currentUser(res).id, params.id)),
  );
  table.add(
    {
      ...byId,
      method: 'patch',
      path: '/posts/:id',
      operationId: 'updatePost',
      summary: 'Update a post',
      description:
        'Change its content, platform, brand or media. Not while it is being delivered or once delivered (409 `INVALID_STATE`): duplicate it instead.',
      body: postPatch,
      errors: ['NOT_FOUND', 'INVALID_STATE', 'CONFLICT'],
    },
    async ({ res, params, body }) => toPostDto(await posts.update(currentUser(res).id, params.id, body)),
  );
  table.add(
    {
      method: 'delete',
      path: '/posts/:id',
      operationId: 'deletePost',
      summary: 'Delete a post',
      description: 'Deletes the post and cancels its pending delivery; not while it is being delivered.',
      tag,
      params: idParams,
      status: 204,
      errors: ['NOT_FOUND', 'INVALID_STATE'],
    },
    async ({ res, params }) => {
      await posts.remove(currentUser(res).id, params.id);
      return undefined;
    },
  );
  table.add(
    {
      ...byId,
      method: 'post',
      path: '/posts/:id/schedule',
      operationId: 'schedulePost',
      summary: 'Schedule a post',
      description:
        'Schedule (or reschedule) its delivery to your Telegram chat: the post becomes `SCHEDULED`. Needs a linked chat (409 `TELEGRAM_NOT_LINKED`).',
      body: scheduleBody,
      // (On the route: zod leaves a schema's own examples out of the input side of a transform.)
      examples: { body: { scheduledFor: EXAMPLE_POST.scheduledFor }, response: EXAMPLE_POST },
      errors: ['NOT_FOUND', 'INVALID_STATE', 'TELEGRAM_NOT_LINKED', 'CONFLICT'],
    },
    async ({ res, params, body }) => toPostDto(await posts.schedule(currentUser(res).id, params.id, body.scheduledFor)),
  );
  table.add(
    {
      ...byId,
      method: 'post',
      path: '/posts/:id/unschedule',
      operationId: 'unschedulePost',
      summary: 'Unschedule a post',
      description: 'Back to `DRAFT`; the pending delivery is cancelled.',
      errors: ['NOT_FOUND', 'INVALID_STATE', 'CONFLICT'],
    },
    async ({ res, params }) => toPostDto(await posts.unschedule(currentUser(res).id, params.id)),
  );
  table.add(
    {
      ...byId,
      method: 'post',
      path: '/posts/:id/send-now',
      operationId: 'sendPostNow',
      summary: 'Send a post now',
      description: 'Deliver it to your Telegram chat now: it is scheduled for this instant.',
      errors: ['NOT_FOUND', 'INVALID_STATE', 'TELEGRAM_NOT_LINKED', 'CONFLICT'],
    },
    async ({ res, params }) => toPostDto(await posts.sendNow(currentUser(res).id, params.id)),
  );
  table.add(
    {
      ...byId,
      method: 'post',
      path: '/posts/:id/duplicate',
      operationId: 'duplicatePost',
      summary: 'Duplicate a post',
      description: 'Copy any post (a delivered one too) into a new `DRAFT`.',
      status: 201,
      errors: ['NOT_FOUND'],
    },
    async ({ res, params }) => toPostDto(await posts.duplicate(currentUser(res).id, params.id)),
  );
}
