import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Logs always go to stderr: stdout belongs to the CLI's JSON contract. The token is redacted
 * wherever a log object might carry it.
 */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: ['token', '*.token', 'config.discordToken', 'discordToken', 'headers.authorization'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
