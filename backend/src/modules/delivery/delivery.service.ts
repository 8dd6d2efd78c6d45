// What other features use of delivery (the rest of this folder is the delivery worker's own): a
// chat the bot can no longer reach fails what was waiting for it.
export { markUnreachable } from './outcomes.js';
