// The one home of a post's and a delivery's state (decision 013). It owns the status sets
// (lifecycle/statuses.ts) and every write that moves a Post or a Delivery from one status to
// another, raw SQL included: the user's actions on a post (lifecycle/posts.ts) and the worker's
// claim, send and outcomes (lifecycle/deliveries.ts). Each transition is a small named function
// taking the db or the transaction it runs in; callers decide when to call it and what to answer
// when it does not apply. Nothing else writes a Post's or a Delivery's status.
export * from './statuses.js';
export * from './posts.js';
export * from './deliveries.js';
