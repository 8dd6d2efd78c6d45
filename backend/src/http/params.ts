// Path parameters shared by every resource's routes.
import { z } from 'zod';

/** `/<resource>/{id}`: every id is a UUID (a malformed one is 400 before any lookup). */
export const idParams = z.object({ id: z.uuid() });
