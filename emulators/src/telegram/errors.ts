// Bot API errors in Telegram's exact shape: `{ ok: false, error_code, description, parameters? }`.
// Clients (and the product's delivery code) branch on these descriptions and on
// `parameters.retry_after` / `parameters.migrate_to_chat_id`, so the strings are copied verbatim
// from what api.telegram.org answers; keep them byte for byte.

export interface ResponseParameters {
  retry_after?: number;
  migrate_to_chat_id?: number;
}

export class BotApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
  }

  toBody() {
    const { errorCode: error_code, description, parameters } = this;
    return { ok: false as const, error_code, description, ...(parameters ? { parameters } : {}) };
  }
}

const bad = (what: string) => new BotApiError(400, `Bad Request: ${what}`);

export const errors = {
  unauthorized: () => new BotApiError(401, 'Unauthorized'),
  notFound: () => new BotApiError(404, 'Not Found'),
  tooManyRequests: (retryAfter: number) =>
    new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter }),
  blocked: () => new BotApiError(403, 'Forbidden: bot was blocked by the user'),
  deactivated: () => new BotApiError(403, 'Forbidden: user is deactivated'),
  chatNotFound: () => bad('chat not found'),
  migrated: (to: number) =>
    new BotApiError(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: to }),
  webhookActive: () =>
    new BotApiError(
      409,
      "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    ),
  otherGetUpdates: () =>
    new BotApiError(
      409,
      'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    ),
  textEmpty: () => bad('message text is empty'),
  textTooLong: () => bad('message is too long'),
  captionTooLong: () => bad('message caption is too long'),
  parseEntities: (why: string) => bad(`can't parse entities: ${why}`),
  unsupportedParseMode: () => bad('unsupported parse_mode'),
  wrongFileId: () => bad('wrong file identifier/HTTP URL specified'),
  wrongFileType: (actual: string, wanted: string) => bad(`can't use file of type ${actual} as ${wanted}`),
  urlContent: () => bad('failed to get HTTP URL content'),
  webPageContent: () => bad('wrong type of the web page content'),
  noFile: (field: string) => bad(`there is no ${field} in the request`),
  fileTooBig: () => bad('file is too big'),
  imageProcessFailed: () => bad('IMAGE_PROCESS_FAILED'),
  entityTooLarge: () => new BotApiError(413, 'Request Entity Too Large'),
  chatIdEmpty: () => bad('chat_id is empty'),
  invalidReplyMarkup: (why: string) => bad(`can't parse reply keyboard markup JSON object${why ? `: ${why}` : ''}`),
  buttonDataInvalid: () => bad('BUTTON_DATA_INVALID'),
  inlineButton: (why: string) => bad(`can't parse inline keyboard button: ${why}`),
  callbackTextTooLong: () => bad('MESSAGE_TOO_LONG'),
  messageToEditNotFound: () => bad('message to edit not found'),
  notModified: () =>
    bad(
      'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    ),
  queryTooOld: () => bad('query is too old and response timeout expired or query ID is invalid'),
  badWebhookUrl: () => bad('invalid webhook URL specified'),
  secretToken: () => bad('secret token contains unallowed characters'),
  badField: (field: string, why: string) => bad(`invalid ${field}: ${why}`),
  invalidFileId: () => bad('invalid file_id'),
};

/** Per-chat faults a test can switch on: each answers every call for that chat with its error. */
export type ChatErrorKind = 'blocked' | 'deactivated' | 'not_found' | 'migrated' | 'none';
export const CHAT_ERROR_KINDS: readonly ChatErrorKind[] = ['blocked', 'deactivated', 'not_found', 'migrated', 'none'];
