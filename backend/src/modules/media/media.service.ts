// What other features use of media (the rest of this folder is the media feature's own): the
// voice catalog a brand's voice is checked against, and the rules for a post's stored media URLs.
export { createVoiceCatalog, type VoiceCatalog } from './voices.js';
export { assertPostMedia, isStoredMediaUrl } from './media-urls.js';
