import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Interaction tokens and webhook tokens travel in URL paths (`/webhooks/<app id>/<token>/…`,
 * `/interactions/<id>/<token>/callback`); a failed Discord request puts that URL in its error.
 */
const TOKEN_IN_URL = /(\/(?:webhooks|interactions)\/\d{1,25}\/)[\w.-]+/g;
/**
 * A bot token: `base64(id).timestamp.hmac`. The look-behind makes every match start at the
 * beginning of a run of token characters, so a long run is scanned a fixed number of times.
 */
const BOT_TOKEN = /(?<![\w-])[\w-]{20,}\.[\w-]{5,}\.[\w-]{20,}/g;

/** A text with any interaction, webhook or bot token replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  return text.replace(TOKEN_IN_URL, '$1[redacted]').replace(BOT_TOKEN, '[redacted]');
}

/** Strings anywhere in a log object (a few levels deep), redacted. */
function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  // Errors are left whole for the error serializer, which redacts them in turn.
  if (depth > 4 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, depth + 1)]));
}

/**
 * pino's error serializer, minus what can carry a secret: discord.js's DiscordAPIError brings the
 * request URL (with the interaction token) and the request body (the whole reply).
 */
function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return redactDeep(error);
  const { requestBody: _body, ...rest } = stdSerializers.err(error) as ReturnType<typeof stdSerializers.err> & { requestBody?: unknown };
  return redactDeep(rest);
}

/**
 * Logs always go to stderr: stdout belongs to the CLI's JSON contract. Tokens are redacted
 * wherever a log object might carry them: by key (`token`, `webhookUrl`, the Discord token in
 * the config) and inside any string that holds a webhook or interaction URL.
 */
export function createLogger(level: string, destination: DestinationStream = pino.destination(2)): Logger {
  return pino(
    {
      level,
      base: undefined,
      serializers: { err: serializeError, error: serializeError },
      formatters: { log: (object) => redactDeep(object) as Record<string, unknown> },
      redact: {
        paths: [
          'token',
          '*.token',
          'interaction.token',
          'webhookUrl',
          '*.webhookUrl',
          'config.discordToken',
          'discordToken',
          'headers.authorization',
          '*.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
