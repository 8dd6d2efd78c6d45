// twitter-text's per-function build: the same parseTweet its main entry exports, on its own.
declare module 'twitter-text/dist/parseTweet.js' {
  const parseTweet: typeof import('twitter-text').parseTweet;
  export default parseTweet;
}
