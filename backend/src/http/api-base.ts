// Where the REST API is mounted: every route's path, the OpenAPI server and the links the API
// writes to itself (voice samples) start here.
export const API_BASE = '/api/v1';
