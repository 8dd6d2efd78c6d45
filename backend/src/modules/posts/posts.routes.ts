import type { RouteTable } from '../../http/route.js';
import { listResponse, page } from '../../http/pagination.js';
import { currentUser } from '../auth/require-user.js';
import { idParams } from '../brands/brands.schemas.js';
import { postCreate, postListQuery, postPatch, postSchema, scheduleBody, toPostDto } from './posts.schemas.js';
import type { PostsService } from './posts.service.js';

export function postRoutes(table: RouteTable, posts: PostsService) {
  const tag = 'Posts';
  const byId = { params: idParams, response: postSchema, tag } as const;
  table.add(
    {
      method: 'get',
      path: '/posts',
      operationId: 'listPosts',
      summary: 'Your posts, newest first; `from`/`to` bound scheduledFor.',
      tag,
      query: postListQuery,
      response: listResponse(postSchema),
    },
    async ({ res, query }) => page(await posts.list(currentUser(res).id, query), query.limit, toPostDto),
  );
  table.add(
    {
      method: 'post',
      path: '/posts',
      operationId: 'createPost',
      summary: 'Write a post by hand (does not count against the quota).',
      tag,
      body: postCreate,
      status: 201,
      response: postSchema,
      errors: ['NOT_FOUND'],
    },
    async ({ res, body }) => toPostDto(await posts.create(currentUser(res).id, body)),
  );
  table.add(
    { ...byId, method: 'get', path: '/posts/:id', operationId: 'getPost', summary: 'One post.', errors: ['NOT_FOUND'] },
    async ({ res, params }) => toPostDto(await posts.get(currentUser(res).id, params.id)),
  );
  table.add(
    {
      ...byId,
      method: 'patch',
      path: '/posts/:id',
      operationId: 'updatePost',
      summary: 'Edit a post that is not being delivered or delivered.',
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
      summary: 'Delete a post (not while it is being delivered).',
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
      summary: 'Schedule (or reschedule) delivery to your Telegram chat.',
      body: scheduleBody,
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
      summary: 'Back to DRAFT; the pending delivery is cancelled.',
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
      summary: 'Deliver to your Telegram chat now (scheduled for this instant).',
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
      summary: 'Copy any post (a delivered one too) into a new draft.',
      status: 201,
      errors: ['NOT_FOUND'],
    },
    async ({ res, params }) => toPostDto(await posts.duplicate(currentUser(res).id, params.id)),
  );
}
