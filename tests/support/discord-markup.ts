import type { APIEmbed } from 'discord-api-types/v10';
import { expect } from 'vitest';

/**
 * Masked links `[text](target)` Discord would render in `text`: an unescaped `[`, later an
 * unescaped `]` directly followed by `(`. Conservative (it ignores code spans and autolinks), so a
 * message it passes has no masked link. Backslash escapes are honoured as Discord does.
 */
export function maskedLinks(text: string): string[] {
  const found: string[] = [];
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
    } else if (c === '[') {
      open.push(i);
    } else if (c === ']' && open.length > 0) {
      const start = open.pop()!;
      if (text[i + 1] === '(') found.push(text.slice(start, Math.min(text.length, i + 40)));
    }
  }
  return found;
}

/** Every piece of text a message shows: content, and each embed's title, description, fields, footer, author. */
export function messageTexts(message: { content?: string | null; embeds?: readonly APIEmbed[] | null }): string[] {
  const texts = message.content ? [message.content] : [];
  for (const e of message.embeds ?? []) {
    texts.push(e.title ?? '', e.description ?? '', e.footer?.text ?? '', e.author?.name ?? '');
    for (const f of e.fields ?? []) texts.push(f.name, f.value);
  }
  return texts.filter((t) => t !== '');
}

/** http(s) URLs in `text` outside `<…>` autolinks (with an unescaped `://`, so Discord would link them). */
export function bareUrls(text: string): string[] {
  return text.replace(/<https?:\/\/[^\s<>]+>/g, ' ').match(/https?:\/\/\S+/g) ?? [];
}

/** Discord's message limits (lengths in UTF-16 units, which is never less than Discord's count). */
export function expectWithinDiscordLimits(message: { content?: string; embeds?: readonly APIEmbed[] }): void {
  expect((message.content ?? '').length).toBeLessThanOrEqual(2_000);
  const embeds = message.embeds ?? [];
  expect(embeds.length).toBeLessThanOrEqual(10);
  let total = 0;
  for (const e of embeds) {
    expect((e.title ?? '').length).toBeLessThanOrEqual(256);
    expect((e.description ?? '').length).toBeLessThanOrEqual(4_096);
    expect((e.footer?.text ?? '').length).toBeLessThanOrEqual(2_048);
    expect((e.fields ?? []).length).toBeLessThanOrEqual(25);
    for (const f of e.fields ?? []) {
      expect(f.name.length).toBeGreaterThan(0);
      expect(f.name.length).toBeLessThanOrEqual(256);
      expect(f.value.length).toBeGreaterThan(0);
      expect(f.value.length).toBeLessThanOrEqual(1_024);
    }
    total += (e.title ?? '').length + (e.description ?? '').length + (e.footer?.text ?? '').length + (e.author?.name ?? '').length;
    total += (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
  }
  expect(total).toBeLessThanOrEqual(6_000);
}
