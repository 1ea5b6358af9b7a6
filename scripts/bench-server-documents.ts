/**
 * The many-servers benchmarks' servers: each with 5 small community documents whose words are
 * drawn per server, so every server's passages are its own text (scripts/bench-servers.ts,
 * scripts/bench-shared.ts).
 */
export const DOCUMENTS_PER_SERVER = 5;

const WORDS = (
  'league raid guild quest patch meta build tank healer support stream clip replay ladder season rank ' +
  'tournament bracket scrim coach roster sponsor merch emote badge moderator event schedule voice lobby ' +
  'server rules ban appeal report ticket giveaway raffle points shop role colour nickname channel thread ' +
  'welcome onboarding faq bot prefix command music playlist karaoke movie night trivia quiz puzzle art'
).split(' ');

/** A deterministic generator (xorshift), so every run makes the same servers. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** A small community document: one section of three sentences, its words drawn per server. */
export function serverDocument(server: number, k: number): string {
  const rand = rng(server * 31 + k + 1);
  const word = () => WORDS[Math.floor(rand() * WORDS.length)]!;
  const sentence = () => `The ${word()} ${word()} of server ${server} uses ${word()} and ${word()} every ${word()}.`;
  return `# Server ${server} ${word()} guide ${k}\n\n## ${word()} ${word()}\n\n${sentence()} ${sentence()} ${sentence()}\n`;
}

/** The benchmark's server ids (snowflake-shaped). */
export const serverId = (i: number) => `9${String(i).padStart(17, '0')}`;
