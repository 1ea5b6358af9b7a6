/**
 * A text as an http(s) URL, parsed by the WHATWG parser, or undefined: no other scheme, and no
 * credentials (`https://discord.com@evil.example` reads as discord.com to a person).
 */
export function parseHttpUrl(raw: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return url;
}
