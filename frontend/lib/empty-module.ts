// Stands in for a polyfill the browsers Next.js supports do not need (see next.config.ts).
export {};
