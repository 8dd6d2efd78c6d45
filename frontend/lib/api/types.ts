// Names for the shapes the pages use, read off the generated operations (never restated by hand).
import type { operations } from './schema.js';

type Json<O extends keyof operations, S extends number> =
  operations[O]['responses'] extends Record<S, { content: { 'application/json': infer T } }> ? T : never;
type Body<O extends keyof operations> = operations[O]['requestBody'] extends
  { content: { 'application/json': infer T } } | undefined
  ? T
  : never;

export type Me = Json<'getMe', 200>;
export type Usage = Me['usage'];
export type TelegramLink = Json<'getTelegramLink', 200>;
export type TelegramLinkCode = Json<'createTelegramLink', 201>;
export type PlanList = Json<'listPlans', 200>;
export type Plan = PlanList['items'][number];
export type PlanId = Plan['id'];
export type Brand = Json<'getBrand', 200>;
export type BrandInput = Body<'createBrand'>;
export type Post = Json<'getPost', 200>;
export type PostStatus = Post['status'];
export type Platform = Post['platform'];
export type PostPatch = Body<'updatePost'>;
export type PostListQuery = NonNullable<operations['listPosts']['parameters']['query']>;
export type Job = Json<'getJob', 200>;
export type JobStatus = Job['status'];
export type GenerateInput = Body<'generatePosts'>;
export type Style = GenerateInput['style'];
export type ImageInput = Body<'generateImage'>;
export type VoiceInput = Body<'generateVoice'>;
export type Voice = Json<'listVoices', 200>['items'][number];
export type Subscription = Json<'getSubscription', 200>;
export type Page<T> = { items: T[]; nextCursor: string | null };
