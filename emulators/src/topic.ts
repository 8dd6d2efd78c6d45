// What a prompt is about, reduced to a few distinctive words, so emulated answers visibly follow the
// request (a test or a person trying the local stack can tell which prompt produced which post).

const STOPWORDS = new Set(
  (
    'a an the and or but nor so yet for of in on at to from by with without into onto over under about ' +
    'above below after before during between through per via as is are was were be been being am do does did ' +
    'have has had will would shall should can could may might must this that these those it its it’s i me my ' +
    'we our us you your yours he she they them their his her there here what which who whom whose when where ' +
    'why how all any each every both few more most other some such only own same than too very just also not ' +
    'no yes one two three four five six seven eight nine ten please write generate create make give return ' +
    'produce draft compose post posts json object array field fields schema format output response reply answer ' +
    'text texts following follow include including using use used words word characters character sentence ' +
    'sentences short long brief about tone style voice language audience platform platforms channel each item ' +
    'items new like get got let lets let’s want need based keep using must exactly then into onto'
  ).split(/\s+/),
);

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};

export interface Topic {
  /** Distinctive words of the prompt, lower-case, in order of appearance, no repeats. */
  words: string[];
  /** "5 posts" in the prompt → counts.get('post') === 5. */
  counts: Map<string, number>;
}

/** "posts" → "post", "stories" → "story", "socialPosts" → "post". */
export function singular(key: string): string {
  const last = key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .pop()
    ?.toLowerCase();
  if (!last) return '';
  if (/ies$/.test(last)) return `${last.slice(0, -3)}y`;
  if (/(xes|ches|shes|sses)$/.test(last)) return last.slice(0, -2);
  if (/[^s]s$/.test(last)) return last.slice(0, -1);
  return last;
}

export function topicOf(prompt: string): Topic {
  const tokens = prompt.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [];
  const words: string[] = [];
  const counts = new Map<string, number>();
  tokens.forEach((token, i) => {
    const lower = token.toLowerCase();
    const next = tokens[i + 1];
    const n = /^\d{1,2}$/.test(lower) ? Number(lower) : NUMBER_WORDS[lower];
    if (n !== undefined && next && !counts.has(singular(next))) counts.set(singular(next), n);
    if (lower.length < 3 || /^\d+$/.test(lower) || STOPWORDS.has(lower) || words.includes(lower)) return;
    words.push(lower);
  });
  return { words, counts };
}

/** The text of the last user message (content may be a string or OpenAI content parts). */
export function lastUserText(messages: unknown[]): string {
  const text = (m: unknown): string => {
    const content = (m as { content?: unknown })?.content;
    if (typeof content === 'string') return content;
    if (Array.isArray(content)) {
      return content.map((part) => ((part as { text?: unknown })?.text as string | undefined) ?? '').join(' ');
    }
    return '';
  };
  const users = messages.filter((m) => (m as { role?: unknown })?.role === 'user');
  const last = users.at(-1) ?? messages.at(-1);
  return last === undefined ? '' : text(last);
}

export function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** `count` words of the topic starting at `offset`, cycling; a stand-in when the prompt had none. */
export function wordsAt(topic: Topic, offset: number, count: number): string[] {
  const pool = topic.words.length > 0 ? topic.words : ['your', 'topic'];
  return Array.from({ length: count }, (_, i) => pool[(offset + i) % pool.length]!);
}

/** Cuts or pads to [min, max] code points (emoji and accents count once, as JSON Schema says). */
export function fitLength(text: string, topic: Topic, min = 0, max = Number.POSITIVE_INFINITY): string {
  let points = Array.from(text);
  let k = 0;
  while (points.length < min) {
    points = points.concat(Array.from(` ${wordsAt(topic, k++, 1)[0]}`));
  }
  if (points.length <= max) return points.join('');
  let cut = points.slice(0, max).join('');
  // Prefer ending on a word boundary when that keeps most of the text and stays long enough.
  const space = cut.lastIndexOf(' ');
  const atWord = cut.slice(0, space).replace(/[\s,:;–-]+$/u, '');
  if (space > 0 && Array.from(atWord).length >= Math.max(min, max * 0.6)) cut = atWord;
  return cut;
}
