// Express request augmentation shared by the HTTP layer.
import 'express-serve-static-core';

declare module 'express-serve-static-core' {
  interface Request {
    /** The request id, also sent back as X-Request-Id. */
    id: string;
  }
}
